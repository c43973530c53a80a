package survey

import (
	"fmt"
	"math/big"
)

// The index of PermenPANRB 14/2017 (DOMAIN.md, "Satisfaction survey"):
//
//  1. NRR_i, the mean answer to element i over the respondents who
//     answered it;
//  2. IKM on the 1–4 scale = Σ NRR_i × weight: exactly 1/N by default,
//     or the rounded 0.111 or 0.11 that many offices' spreadsheets use
//     (site setting skm_weight_mode; with 0.11 a perfect score is 99);
//  3. converted = IKM × 25, rounded to two decimals, and graded:
//     88.31–100 A (Sangat Baik), 76.61–88.30 B (Baik), 65.00–76.60 C
//     (Kurang Baik), below D (Tidak Baik). Each element's NRR × 25 is
//     graded with the same bands, to show the weakest element.
//
// The sums are exact fractions (math/big.Rat) and are rounded once, half
// up, at the end: a score on a band's edge (88.30, 88.31) grades the same
// on every machine, which float arithmetic cannot promise.

// Weight modes (queue.Site.SKMWeightMode).
const (
	WeightExact = "exact"
	Weight0111  = "0.111"
	Weight011   = "0.11"
)

// Index is the computed IKM of a set of responses.
type Index struct {
	Respondents int       `json:"respondents"`
	Elements    []Element `json:"elements"`
	// IKMUnit is on the 1–4 scale, rounded to three decimals; IKM is it
	// converted (×25) and rounded to two, the figure that is graded. Both
	// are nil without respondents, as are Grade and Performance.
	IKMUnit     *float64 `json:"ikm_unit"`
	IKM         *float64 `json:"ikm"`
	Grade       *string  `json:"grade"`
	Performance *string  `json:"performance"`
	WeightMode  string   `json:"weight_mode"`
}

// Element is one element's figures.
type Element struct {
	Element     string `json:"element"` // "U1", "U2", ...
	Name        string `json:"name"`
	Respondents int    `json:"respondents"`
	// Sum of the answers; Average (NRR) rounded to three decimals;
	// Converted is NRR × 25 rounded to two; Weight its weight in the
	// IKM (0 when nobody answered it). Nil without answers.
	Sum         int      `json:"sum"`
	Average     *float64 `json:"average"`
	Converted   *float64 `json:"converted"`
	Weight      float64  `json:"weight"`
	Grade       *string  `json:"grade"`
	Performance *string  `json:"performance"`
}

// Compute is the IKM of the responses (each one answer 1–4 per element,
// in order) for the site's element names under a weight mode. Elements
// are matched by position, U1 first: a response shorter than the list
// counts for the elements it answered; one longer adds elements named
// after their code. An element nobody answered is left out of the index
// and of N. Answers outside 1–4 are ignored (the engine refuses them).
func Compute(names []string, responses [][]int, mode string) Index {
	var tallies []Tally
	for _, r := range responses {
		for len(tallies) < len(r) {
			tallies = append(tallies, Tally{})
		}
		for i, v := range r {
			if v >= 1 && v <= 4 {
				tallies[i].Respondents++
				tallies[i].Sum += v
			}
		}
	}
	return ComputeTallies(names, len(responses), tallies, mode)
}

// Tally is one element's answers added up: how many answered it and
// the sum of their answers.
type Tally struct{ Respondents, Sum int }

// ComputeTallies is Compute from the answers already added up per
// element (the region server keeps tallies, not responses): respondents
// in all, and one tally per element in order.
func ComputeTallies(names []string, respondents int, tallies []Tally, mode string) Index {
	n := max(len(names), len(tallies))
	idx := Index{Respondents: respondents, Elements: make([]Element, n), WeightMode: mode}
	for i := range idx.Elements {
		e := &idx.Elements[i]
		e.Element = fmt.Sprintf("U%d", i+1)
		e.Name = e.Element
		if i < len(names) {
			e.Name = names[i]
		}
		if i < len(tallies) {
			e.Respondents, e.Sum = tallies[i].Respondents, tallies[i].Sum
		}
	}
	answered := 0
	for _, e := range idx.Elements {
		if e.Respondents > 0 {
			answered++
		}
	}
	if answered == 0 {
		return idx
	}
	w := weight(mode, answered)
	wf, _ := w.Float64()
	unit := new(big.Rat)
	for i := range idx.Elements {
		e := &idx.Elements[i]
		if e.Respondents == 0 {
			continue
		}
		nrr := big.NewRat(int64(e.Sum), int64(e.Respondents))
		e.Average = ptr(roundRat(nrr, 3))
		conv := roundHundredths(new(big.Rat).Mul(nrr, big.NewRat(25, 1)))
		e.Converted = ptr(float64(conv) / 100)
		g, p := GradeOf(conv)
		e.Grade, e.Performance = &g, &p
		e.Weight = wf
		unit.Add(unit, new(big.Rat).Mul(nrr, w))
	}
	conv := roundHundredths(new(big.Rat).Mul(unit, big.NewRat(25, 1)))
	idx.IKMUnit = ptr(roundRat(unit, 3))
	idx.IKM = ptr(float64(conv) / 100)
	g, p := GradeOf(conv)
	idx.Grade, idx.Performance = &g, &p
	return idx
}

// weight is an element's weight among n answered elements.
func weight(mode string, n int) *big.Rat {
	switch mode {
	case Weight0111:
		return big.NewRat(111, 1000)
	case Weight011:
		return big.NewRat(11, 100)
	}
	return big.NewRat(1, int64(n))
}

// GradeOf grades a converted score given in hundredths (88.31 → 8831):
// the mutu A–D and the kinerja label.
func GradeOf(hundredths int64) (grade, performance string) {
	switch {
	case hundredths >= 8831:
		return "A", "Sangat Baik"
	case hundredths >= 7661:
		return "B", "Baik"
	case hundredths >= 6500:
		return "C", "Kurang Baik"
	}
	return "D", "Tidak Baik"
}

// roundHundredths rounds a non-negative fraction to hundredths, half up,
// and answers them as an integer (88.305 → 8831).
func roundHundredths(r *big.Rat) int64 {
	return roundScaled(r, 100)
}

// roundScaled is r × scale rounded half up to an integer (r ≥ 0).
func roundScaled(r *big.Rat, scale int64) int64 {
	x := new(big.Rat).Mul(r, big.NewRat(scale, 1))
	// floor(x + 1/2) = (2·num + den) div (2·den)
	num := new(big.Int).Mul(x.Num(), big.NewInt(2))
	num.Add(num, x.Denom())
	den := new(big.Int).Mul(x.Denom(), big.NewInt(2))
	return new(big.Int).Quo(num, den).Int64()
}

// roundRat rounds r to the given number of decimals, half up.
func roundRat(r *big.Rat, decimals int) float64 {
	scale := int64(1)
	for range decimals {
		scale *= 10
	}
	return float64(roundScaled(r, scale)) / float64(scale)
}

func ptr[T any](v T) *T { return &v }
