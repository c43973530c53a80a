package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// child is a server started by the driver.
type child struct {
	cmd  *exec.Cmd
	info serverInfo
}

func startChild(mode string) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "server", "--mode", mode)
	// A test binary runs the role when it sees this (see wsload_test.go).
	cmd.Env = append(os.Environ(), "WSLOAD_CHILD=1")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd}
	rd := bufio.NewReader(out)
	line, err := rd.ReadBytes('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("the %s server did not start: %w", mode, err)
	}
	if err := json.Unmarshal(line, &c.info); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("the %s server said %q: %w", mode, line, err)
	}
	go io.Copy(io.Discard, rd)
	return c, nil
}

func (c *child) stop() {
	c.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		c.cmd.Process.Kill()
		<-done
	}
}

func benchMain(args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	nsFlag := fs.String("n", "1000,5000,10000", "client counts")
	modesFlag := fs.String("modes", "antrean,baseline", "servers to measure, in this order for each N")
	runs := fs.Int("runs", 1, "repeat everything; the table shows medians over runs")
	sources := fs.String("sources", "127.0.0.1-127.0.0.20", "client source addresses")
	var base clientConfig
	fs.IntVar(&base.Warmup, "warmup", 2, "uncounted triggers first")
	fs.IntVar(&base.Triggers, "triggers", 30, "measured triggers per N and mode")
	fs.DurationVar(&base.Gap, "gap", 50*time.Millisecond, "pause between triggers")
	fs.DurationVar(&base.Settle, "settle", 2*time.Second, "idle time before reading the server's RSS")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var ns []int
	for _, s := range strings.Split(*nsFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("--n: %q is not a count", s)
		}
		ns = append(ns, n)
	}
	modes := strings.Split(*modesFlag, ",")
	var err error
	if base.Sources, err = parseSources(*sources); err != nil {
		return err
	}
	fmt.Println(machineFacts(len(base.Sources)))

	type key struct {
		n    int
		mode string
	}
	all := map[key][]*result{}
	frames := defaultFrames()
	started := time.Now()
	for run := 1; run <= *runs; run++ {
		for _, n := range ns {
			for _, mode := range modes {
				srv, err := startChild(mode)
				if err != nil {
					return err
				}
				cfg := base
				cfg.Mode, cfg.N = mode, n
				cfg.URL, cfg.Trigger, cfg.Token = srv.info.WS, srv.info.Trigger, srv.info.Token
				cfg.PID, cfg.Control = srv.info.PID, srv.info.Control
				cfg.KeepFrames = mode == "antrean"
				cfg.Frames = frames
				res, err := measure(cfg)
				srv.stop()
				if err != nil {
					return fmt.Errorf("run %d, %s, n=%d: %w", run, mode, n, err)
				}
				if len(res.Frames) > 0 {
					frames = res.Frames // the baseline sends exactly Antrean's frames
				}
				fmt.Printf("run %d: ", run)
				printResult(os.Stdout, res)
				all[key{n, mode}] = append(all[key{n, mode}], res)
			}
		}
	}
	fmt.Printf("\nframes per trigger: %d (%s bytes); total time %s\n\n", len(frames), frameSizes(frames), time.Since(started).Round(time.Second))

	med := func(rs []*result, f func(*result) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	p50 := func(r *result) float64 { return float64(percentile(r.Last, 0.5)) / 1e6 }
	p99 := func(r *result) float64 { return float64(percentile(r.Last, 0.99)) / 1e6 }
	mid := func(r *result) float64 { return float64(percentile(r.Median, 0.5)) / 1e6 }
	idle := func(r *result) float64 { return r.idleKiB() }
	gc := func(r *result) float64 { return r.gcKiB() }
	gor := func(r *result) float64 { return float64(r.Stats.Goroutines) / float64(r.N) }
	fmt.Printf("medians over %d run(s); latency = trigger POST sent → frame received, in the clients' clock\n\n", *runs)
	fmt.Println("| clients | server | last client p50 | last client p99 | median client p50 | server RSS KiB/conn, idle | after forced GC | goroutines/conn | missing |")
	fmt.Println("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, n := range ns {
		for _, mode := range modes {
			rs := all[key{n, mode}]
			missing := 0
			for _, r := range rs {
				missing += r.Missing
			}
			fmt.Printf("| %d | %s | %.1f ms | %.1f ms | %.1f ms | %.1f | %.1f | %.1f | %d |\n",
				n, mode, med(rs, p50), med(rs, p99), med(rs, mid), med(rs, idle), med(rs, gc), med(rs, gor), missing)
		}
	}
	a, b := all[key{10000, "antrean"}], all[key{10000, "baseline"}]
	fmt.Println()
	for _, n := range ns {
		a, b := all[key{n, "antrean"}], all[key{n, "baseline"}]
		if len(a) == 0 || len(b) == 0 {
			continue
		}
		ap, bp := med(a, p99), med(b, p99)
		fmt.Printf("n=%d: p99 antrean/baseline = %.2f; antrean p99 %.1f ms vs limit 2×%.1f+5 = %.1f ms\n", n, ap/bp, ap, bp, 2*bp+5)
	}
	if len(a) > 0 && len(b) > 0 {
		ap, bp := med(a, p99), med(b, p99)
		fmt.Printf("target at 10,000: p99 %.1f ms ≤ %.1f ms: %v; idle KiB/conn %.1f ≤ 20: %v (after forced GC %.1f)\n",
			ap, 2*bp+5, ap <= 2*bp+5, med(a, idle), med(a, idle) <= 20, med(a, gc))
	}
	return nil
}

func frameSizes(fs []string) string {
	var s []string
	for _, f := range fs {
		s = append(s, strconv.Itoa(len(f)))
	}
	return strings.Join(s, "+")
}

func machineFacts(sources int) string {
	cpu := "?"
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(raw), "\n") {
			if v, ok := strings.CutPrefix(l, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	ports, _ := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	mem := ""
	if raw, err := os.ReadFile("/proc/meminfo"); err == nil {
		mem, _, _ = strings.Cut(string(raw), "\n")
		mem = strings.Join(strings.Fields(mem), " ")
	}
	return fmt.Sprintf("machine: %d CPUs (%s), %s, linux %s, %s; open files %d; ephemeral ports %s; %d client source addresses",
		runtime.NumCPU(), cpu, mem, strings.TrimSpace(string(kernel)), runtime.Version(), noFileLimit(),
		strings.Join(strings.Fields(string(ports)), "-"), sources)
}
