package app

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/mpp-digital/antrean/internal/token"
	"github.com/mpp-digital/antrean/queue"
)

//go:embed demo-mall.json
var demoMall []byte

// DemoPassword is the password of every demo staff account. Demo only.
const DemoPassword = "demo-antrean"

// demoFile keeps the demo's credentials and device tokens in the data
// folder, so later starts can print them again. Demo only.
const demoFile = "demo-credentials.txt"

type mallFile struct {
	Site struct {
		Name     string        `json:"name"`
		NameEN   string        `json:"name_en"`
		Timezone string        `json:"timezone"`
		Opens    string        `json:"opens"`
		Closes   string        `json:"closes"`
		Breaks   []queue.Break `json:"breaks"`
	} `json:"site"`
	Agencies []struct {
		Code     string   `json:"code"`
		Name     string   `json:"name"`
		Short    string   `json:"short"`
		NameEN   string   `json:"name_en"`
		ShortEN  string   `json:"short_en"`
		Counters []string `json:"counters"`
		// CountersEN are the counters' English names, in the same order.
		CountersEN []string `json:"counters_en"`
		Services   []struct {
			Code           string   `json:"code"`
			Name           string   `json:"name"`
			NameEN         string   `json:"name_en"`
			DailyQuota     int      `json:"daily_quota"`
			TargetWaitMin  int      `json:"target_wait_min"`
			Fee            string   `json:"fee"`
			FeeEN          string   `json:"fee_en"`
			Requirements   []string `json:"requirements"`
			RequirementsEN []string `json:"requirements_en"`
			RequiresNIK    bool     `json:"requires_nik"`
		} `json:"services"`
	} `json:"agencies"`
	Devices []struct {
		Kind string `json:"kind"`
		Name string `json:"name"`
	} `json:"devices"`
}

func hashPassword(pw string, cost int) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	return string(h), err
}

// seedDemo fills an empty database with the demo mall: its agencies,
// services, counters and breaks, an officer per agency, a supervisor, a
// greeter, two kiosks and a display. The demo site is open every day
// around the clock, so it can be tried at any hour.
func (a *App) seedDemo() error {
	var m mallFile
	if err := json.Unmarshal(demoMall, &m); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	ctx := context.Background()
	do := func(cmd queue.Command) (any, error) { return a.Engine.Apply(ctx, time.Time{}, cmd) }
	site := queue.DefaultSite()
	site.Name, site.Timezone = m.Site.Name, m.Site.Timezone
	site.Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	site.Opens, site.Closes = "00:00", "24:00"
	site.Breaks = m.Site.Breaks
	site.RunningText = fmt.Sprintf("Selamat datang di %s. Jam layanan %s–%s WIB (demo: buka 24 jam). Siapkan persyaratan sebelum dipanggil.",
		m.Site.Name, strings.Replace(m.Site.Opens, ":", ".", 1), strings.Replace(m.Site.Closes, ":", ".", 1))
	site.RunningTextEN = fmt.Sprintf("Welcome to the %s (%s). Opening hours %s–%s WIB (demo: open 24 hours). Please have your documents ready before your number is called.",
		m.Site.NameEN, m.Site.Name, m.Site.Opens, m.Site.Closes)
	if _, err := do(queue.PutSite{Site: site}); err != nil {
		return fmt.Errorf("demo site: %w", err)
	}
	var creds strings.Builder
	fmt.Fprintf(&creds, "DEMO ONLY: these accounts and tokens are for trying Antrean, never for a real mall.\n\n")
	fmt.Fprintf(&creds, "Staff (password for all: %s)\n", DemoPassword)
	cost := a.Config.BcryptCost
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	demoHash, err := hashPassword(DemoPassword, cost)
	if err != nil {
		return err
	}
	addUser := func(name, role, agency string) error {
		u := &queue.User{ID: queue.NewID("usr"), Username: name, Role: role, AgencyID: agency, PasswordHash: demoHash}
		_, err := do(queue.PutUser{User: u, Create: true})
		fmt.Fprintf(&creds, "  %-24s %s\n", name, role)
		return err
	}
	for _, ag := range m.Agencies {
		agency := &queue.Agency{ID: queue.NewID("agc"), Code: ag.Code, Name: ag.Name, ShortName: ag.Short, NameEN: ag.NameEN, ShortNameEN: ag.ShortEN}
		if _, err := do(queue.PutAgency{Agency: agency, Create: true}); err != nil {
			return fmt.Errorf("demo agency %s: %w", ag.Code, err)
		}
		var ids []string
		for _, s := range ag.Services {
			svc := queue.DefaultService()
			svc.ID, svc.AgencyID, svc.Code, svc.Name, svc.NameEN = queue.NewID("svc"), agency.ID, s.Code, s.Name, s.NameEN
			svc.Fee, svc.FeeEN, svc.DailyQuota, svc.TargetWaitMin, svc.Requirements = s.Fee, s.FeeEN, s.DailyQuota, s.TargetWaitMin, s.Requirements
			svc.RequirementsEN = s.RequirementsEN
			svc.RequiresNIK = s.RequiresNIK
			if _, err := do(queue.PutService{Service: svc, Create: true}); err != nil {
				return fmt.Errorf("demo service %s: %w", s.Code, err)
			}
			ids = append(ids, svc.ID)
		}
		for i, name := range ag.Counters {
			k := &queue.Counter{ID: queue.NewID("ctr"), AgencyID: agency.ID, Name: name, ServiceIDs: ids}
			if i < len(ag.CountersEN) {
				k.NameEN = ag.CountersEN[i]
			}
			if _, err := do(queue.PutCounter{Counter: k, Create: true}); err != nil {
				return fmt.Errorf("demo counter %s: %w", name, err)
			}
		}
		if err := addUser("petugas."+strings.ToLower(ag.Code), queue.RoleOfficer, agency.ID); err != nil {
			return err
		}
		if ag.Code == "DKP" {
			if err := addUser("supervisor.dukcapil", queue.RoleSupervisor, agency.ID); err != nil {
				return err
			}
		}
	}
	if err := addUser("greeter", queue.RoleGreeter, ""); err != nil {
		return err
	}
	fmt.Fprintf(&creds, "\nDevices (tokens are shown once by the API; kept here for the demo)\n")
	for _, d := range m.Devices {
		secret := token.New(d.Kind)
		dev := &queue.Device{ID: queue.NewID("dev"), Kind: d.Kind, Name: d.Name, TokenHash: token.Hash(secret)}
		if _, err := do(queue.PutDevice{Device: dev, Create: true}); err != nil {
			return fmt.Errorf("demo device: %w", err)
		}
		fmt.Fprintf(&creds, "  %-8s %-18s %s\n", d.Kind, d.Name, secret)
	}
	if a.AdminPassword != "" {
		fmt.Fprintf(&creds, "\nAdmin: admin / %s (random, made on first start)\n", a.AdminPassword)
	}
	return os.WriteFile(filepath.Join(a.Config.Data, demoFile), []byte(creds.String()), 0o600)
}

// printDemo tells the person who ran `antrean demo` where to look.
func (a *App) printDemo(out io.Writer) {
	creds, _ := os.ReadFile(filepath.Join(a.Config.Data, demoFile))
	kiosk, display := "", ""
	for _, line := range strings.Split(string(creds), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && (f[0] == "kiosk" || f[0] == "display") {
			tok := f[len(f)-1]
			if f[0] == "kiosk" && kiosk == "" {
				kiosk = tok
			}
			if f[0] == "display" && display == "" {
				display = tok
			}
		}
	}
	fmt.Fprintf(out, "\n=== Antrean demo mall — DEMO ONLY, not for real use ===\n")
	fmt.Fprintf(out, "Start page:      %s/\n", a.URL)
	fmt.Fprintf(out, "Kiosk (paired):  %s/kiosk?device=%s\n", a.URL, kiosk)
	fmt.Fprintf(out, "Lobby display:   %s/display?device=%s\n", a.URL, display)
	fmt.Fprintf(out, "Officer console: %s/counter\n", a.URL)
	fmt.Fprintf(out, "Admin:           %s/admin\n", a.URL)
	fmt.Fprintf(out, "API:             %s/api/v1/state\n\n", a.URL)
	fmt.Fprintf(out, "%s", creds)
	fmt.Fprintf(out, "(kept in %s)\n\n", filepath.Join(a.Config.Data, demoFile))
}
