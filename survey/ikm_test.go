package survey_test

import (
	"testing"

	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/survey"
)

func repeat(r []int, n int) [][]int {
	out := make([][]int, n)
	for i := range out {
		out[i] = r
	}
	return out
}

func all(v, n int) []int {
	r := make([]int, n)
	for i := range r {
		r[i] = v
	}
	return r
}

func f(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}

func s(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

// TestComputeWorkedExamples: the figures of DOMAIN.md's computation for
// samples worked out by hand.
func TestComputeWorkedExamples(t *testing.T) {
	names := queue.DefaultSKMElements
	// A mixed sample of four respondents over the nine elements:
	//
	//	     U1 U2 U3 U4 U5 U6 U7 U8 U9
	//	R1    4  4  3  4  3  4  4  3  4
	//	R2    3  3  3  4  3  4  4  2  3
	//	R3    4  3  2  4  3  3  4  3  3
	//	R4    3  4  3  4  2  4  4  3  4
	//	sum  14 14 11 16 11 15 16 11 14
	//	NRR 3.50 3.50 2.75 4.00 2.75 3.75 4.00 2.75 3.50   (sum / 4)
	//
	// Σ NRR = 30.5. Exact weights: IKM = 30.5 / 9 = 3.38888… → 3.389;
	// converted 30.5 × 25 / 9 = 84.7222… → 84.72: B, Baik.
	// Weight 0.111: 30.5 × 0.111 = 3.3855; × 25 = 84.6375 → 84.64: B.
	// Weight 0.11: 30.5 × 0.11 = 3.355; × 25 = 83.875 → 83.88 (half up): B.
	// Per element: U3, U5, U8 2.75 × 25 = 68.75: C, Kurang Baik; U1,
	// U2, U9 87.50: B; U6 93.75, U4 and U7 100.00: A.
	mixed := [][]int{
		{4, 4, 3, 4, 3, 4, 4, 3, 4},
		{3, 3, 3, 4, 3, 4, 4, 2, 3},
		{4, 3, 2, 4, 3, 3, 4, 3, 3},
		{3, 4, 3, 4, 2, 4, 4, 3, 4},
	}
	cases := []struct {
		name      string
		responses [][]int
		mode      string
		unit, ikm float64
		grade     string
		perf      string
	}{
		{"all 4, exact", repeat(all(4, 9), 25), survey.WeightExact, 4, 100, "A", "Sangat Baik"},
		{"all 4, 0.111", repeat(all(4, 9), 25), survey.Weight0111, 3.996, 99.90, "A", "Sangat Baik"},
		{"all 4, 0.11", repeat(all(4, 9), 25), survey.Weight011, 3.96, 99.00, "A", "Sangat Baik"},
		{"all 1, exact", repeat(all(1, 9), 3), survey.WeightExact, 1, 25, "D", "Tidak Baik"},
		{"mixed, exact", mixed, survey.WeightExact, 3.389, 84.72, "B", "Baik"},
		{"mixed, 0.111", mixed, survey.Weight0111, 3.386, 84.64, "B", "Baik"},
		{"mixed, 0.11", mixed, survey.Weight011, 3.355, 83.88, "B", "Baik"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			idx := survey.Compute(names, c.responses, c.mode)
			if idx.Respondents != len(c.responses) || len(idx.Elements) != 9 {
				t.Fatalf("respondents %d, elements %d", idx.Respondents, len(idx.Elements))
			}
			if f(idx.IKMUnit) != c.unit || f(idx.IKM) != c.ikm || s(idx.Grade) != c.grade || s(idx.Performance) != c.perf {
				t.Errorf("ikm_unit %v, ikm %v, %s %s; want %v, %v, %s %s", f(idx.IKMUnit), f(idx.IKM), s(idx.Grade), s(idx.Performance), c.unit, c.ikm, c.grade, c.perf)
			}
		})
	}
	idx := survey.Compute(names, mixed, survey.WeightExact)
	want := []struct {
		avg, conv float64
		grade     string
	}{{3.5, 87.5, "B"}, {3.5, 87.5, "B"}, {2.75, 68.75, "C"}, {4, 100, "A"}, {2.75, 68.75, "C"}, {3.75, 93.75, "A"}, {4, 100, "A"}, {2.75, 68.75, "C"}, {3.5, 87.5, "B"}}
	for i, e := range idx.Elements {
		if e.Element != "U"+string(rune('1'+i)) || e.Name != names[i] || e.Respondents != 4 {
			t.Errorf("element %d: %+v", i, e)
		}
		if f(e.Average) != want[i].avg || f(e.Converted) != want[i].conv || s(e.Grade) != want[i].grade {
			t.Errorf("%s: NRR %v (%v) %s, want %v (%v) %s", e.Element, f(e.Average), f(e.Converted), s(e.Grade), want[i].avg, want[i].conv, want[i].grade)
		}
		if e.Weight < 0.1111 || e.Weight > 0.1112 {
			t.Errorf("%s weight %v, want 1/9", e.Element, e.Weight)
		}
	}
}

// TestComputeBandEdges: scores on each side of every band edge grade
// right. One element answered by 2500 respondents makes the converted
// score exactly h/100 for a sum of h: NRR = h/2500, × 25 = h/100.
func TestComputeBandEdges(t *testing.T) {
	sample := func(h int) [][]int {
		// h = 7500 + x (x answers of 4, the rest 3) or 5000 + y (y of 3,
		// the rest 2).
		out := make([][]int, 2500)
		hi, lo, k := 4, 3, h-7500
		if h < 7500 {
			hi, lo, k = 3, 2, h-5000
		}
		for i := range out {
			if i < k {
				out[i] = []int{hi}
			} else {
				out[i] = []int{lo}
			}
		}
		return out
	}
	cases := []struct {
		h     int
		ikm   float64
		grade string
		perf  string
	}{
		{8830, 88.30, "B", "Baik"},
		{8831, 88.31, "A", "Sangat Baik"},
		{7660, 76.60, "C", "Kurang Baik"},
		{7661, 76.61, "B", "Baik"},
		{6499, 64.99, "D", "Tidak Baik"},
		{6500, 65.00, "C", "Kurang Baik"},
	}
	for _, c := range cases {
		idx := survey.Compute([]string{"Kecepatan"}, sample(c.h), survey.WeightExact)
		if f(idx.IKM) != c.ikm || s(idx.Grade) != c.grade || s(idx.Performance) != c.perf {
			t.Errorf("sum %d: ikm %v %s %s, want %v %s %s", c.h, f(idx.IKM), s(idx.Grade), s(idx.Performance), c.ikm, c.grade, c.perf)
		}
		if g := s(idx.Elements[0].Grade); g != c.grade {
			t.Errorf("sum %d: element grade %s, want %s", c.h, g, c.grade)
		}
	}
	for _, c := range []struct {
		h     int64
		grade string
	}{{10000, "A"}, {8831, "A"}, {8830, "B"}, {7661, "B"}, {7660, "C"}, {6500, "C"}, {6499, "D"}, {2500, "D"}, {2475, "D"}} {
		if g, _ := survey.GradeOf(c.h); g != c.grade {
			t.Errorf("GradeOf(%d) = %s, want %s", c.h, g, c.grade)
		}
	}
}

// TestComputeEdges: no respondents gives nulls; elements are matched by
// position, and one nobody answered leaves the index and its N.
func TestComputeEdges(t *testing.T) {
	idx := survey.Compute(queue.DefaultSKMElements, nil, survey.WeightExact)
	if idx.Respondents != 0 || idx.IKM != nil || idx.IKMUnit != nil || idx.Grade != nil || len(idx.Elements) != 9 || idx.Elements[0].Average != nil {
		t.Errorf("no respondents: %+v", idx)
	}
	// The list grew from two to three elements during the period: the
	// third is averaged over those who answered it, N stays 3.
	idx = survey.Compute([]string{"A", "B", "C"}, [][]int{{4, 2}, {4, 2, 3}}, survey.WeightExact)
	if e := idx.Elements[2]; e.Respondents != 1 || f(e.Average) != 3 {
		t.Errorf("third element %+v", e)
	}
	// (4 + 2 + 3) / 3 = 3 → 75.00: C.
	if f(idx.IKM) != 75 || s(idx.Grade) != "C" {
		t.Errorf("ikm %v %s, want 75 C", f(idx.IKM), s(idx.Grade))
	}
	// The list shrank: answers past it count under their code.
	idx = survey.Compute([]string{"A"}, [][]int{{4, 2}}, survey.WeightExact)
	if len(idx.Elements) != 2 || idx.Elements[1].Name != "U2" || f(idx.IKM) != 75 {
		t.Errorf("shrunk list: %+v ikm %v", idx.Elements, f(idx.IKM))
	}
	// An element nobody answered is out of the index.
	idx = survey.Compute([]string{"A", "B"}, [][]int{{4}}, survey.WeightExact)
	if idx.Elements[1].Average != nil || idx.Elements[1].Weight != 0 || f(idx.IKM) != 100 {
		t.Errorf("unanswered element: %+v ikm %v", idx.Elements[1], f(idx.IKM))
	}
}
