package survey

import (
	"cmp"
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/web"
)

// XLSXType is the media type of the workbook.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Sheet names of the workbook, shaped like the SKM report offices file
// (PermenPANRB 14/2017): respondents by profile, NRR per element with
// weights, the index with its grade and performance, the comments.
const (
	SheetRespondents = "Responden"
	SheetNRR         = "NRR per Unsur"
	SheetIKM         = "IKM"
	SheetComments    = "Saran"
)

// Workbook renders the report as an xlsx workbook, in Indonesian (the
// language of the report an office files), labels from the survey form's
// catalogue.
func (r *Report) Workbook(st *queue.State) ([]byte, error) {
	x := excelize.NewFile()
	defer x.Close()
	w := &sheetWriter{x: x}
	w.styles()
	unit := r.unitName(st)
	period := r.From
	if r.To != r.From {
		period = r.From + " s.d. " + r.To
	}
	title := func(sheet, what string) {
		w.set(sheet, 1, 1, what, w.bold)
		w.set(sheet, 2, 1, st.Site.Name+" · "+unit+" · "+period, 0)
	}

	// Respondents by profile.
	if err := x.SetSheetName("Sheet1", SheetRespondents); err != nil {
		return nil, err
	}
	s := SheetRespondents
	title(s, "Profil Responden Survei Kepuasan Masyarakat")
	w.header(s, 4, "Karakteristik", "Kategori", "Jumlah", "Persentase")
	row := 5
	w.set(s, row, 1, "Jumlah responden", w.bold)
	w.set(s, row, 3, r.Respondents, w.bold)
	row++
	for _, field := range queue.ProfileFields {
		w.set(s, row, 1, t("skm.profile."+field), w.bold)
		for _, o := range append(queue.ProfileOptions[field], "none") {
			label := t("skm.profile." + field + "." + o)
			if o == "none" {
				label = t("skm.profile.none")
			}
			n := r.Profile[field][o]
			w.set(s, row, 2, label, 0)
			w.set(s, row, 3, n, 0)
			if r.Respondents > 0 {
				w.set(s, row, 4, float64(n)/float64(r.Respondents), w.pct)
			}
			row++
		}
	}
	w.widths(s, 22, 26, 12, 12)

	// NRR per element, with weights.
	s = SheetNRR
	if _, err := x.NewSheet(s); err != nil {
		return nil, err
	}
	title(s, "Nilai Rata-rata per Unsur Pelayanan (NRR)")
	w.header(s, 4, "Unsur", "Nama unsur", "Jumlah responden", "Jumlah nilai", "NRR", "Bobot", "NRR tertimbang", "Konversi (×25)", "Mutu", "Kinerja")
	row = 5
	for _, e := range r.Elements {
		w.set(s, row, 1, e.Element, 0)
		w.set(s, row, 2, e.Name, 0)
		w.set(s, row, 3, e.Respondents, 0)
		w.set(s, row, 4, e.Sum, 0)
		if e.Average != nil {
			w.set(s, row, 5, *e.Average, w.dec3)
			w.set(s, row, 6, e.Weight, w.dec4)
			w.set(s, row, 7, float64(e.Sum)/float64(e.Respondents)*e.Weight, w.dec4)
			w.set(s, row, 8, *e.Converted, w.dec2)
			w.set(s, row, 9, *e.Grade, 0)
			w.set(s, row, 10, *e.Performance, 0)
		}
		row++
	}
	w.set(s, row, 2, "IKM unit pelayanan (Σ NRR tertimbang)", w.bold)
	if r.IKMUnit != nil {
		w.set(s, row, 7, *r.IKMUnit, w.bold3)
		w.set(s, row, 8, *r.IKM, w.bold2)
		w.set(s, row, 9, *r.Grade, w.bold)
		w.set(s, row, 10, *r.Performance, w.bold)
	}
	w.widths(s, 8, 40, 12, 12, 10, 10, 14, 14, 8, 14)

	// The index, its grade and performance.
	s = SheetIKM
	if _, err := x.NewSheet(s); err != nil {
		return nil, err
	}
	title(s, "Indeks Kepuasan Masyarakat (IKM)")
	rows := [][2]any{
		{"Unit pelayanan", unit},
		{"Periode", period},
		{"Jumlah responden", r.Respondents},
		{"Pembobotan", weightLabel(r.WeightMode, len(r.Elements))},
	}
	if r.IKM != nil {
		rows = append(rows, [2]any{"IKM (skala 1–4)", *r.IKMUnit}, [2]any{"IKM konversi (25–100)", *r.IKM},
			[2]any{"Mutu pelayanan", *r.Grade}, [2]any{"Kinerja unit pelayanan", *r.Performance})
	} else {
		rows = append(rows, [2]any{"IKM", "belum ada responden"})
	}
	row = 4
	for _, kv := range rows {
		w.set(s, row, 1, kv[0], w.bold)
		style := 0
		switch kv[0] {
		case "IKM (skala 1–4)":
			style = w.dec3
		case "IKM konversi (25–100)":
			style = w.dec2
		}
		w.set(s, row, 2, kv[1], style)
		row++
	}
	row++
	w.header(s, row, "Nilai konversi", "Mutu", "Kinerja")
	for _, b := range [][3]string{{"88,31 – 100,00", "A", "Sangat Baik"}, {"76,61 – 88,30", "B", "Baik"}, {"65,00 – 76,60", "C", "Kurang Baik"}, {"25,00 – 64,99", "D", "Tidak Baik"}} {
		row++
		for i, v := range b {
			w.set(s, row, i+1, v, 0)
		}
	}
	w.widths(s, 26, 40, 14)

	// Comments.
	s = SheetComments
	if _, err := x.NewSheet(s); err != nil {
		return nil, err
	}
	title(s, "Saran dan Masukan")
	w.header(s, 4, "Tanggal", "Instansi", "Layanan", "Saran / masukan")
	row = 5
	for _, f := range r.comments {
		w.set(s, row, 1, f.Day, 0)
		if a := st.Agency(f.AgencyID); a != nil {
			w.set(s, row, 2, cmp.Or(a.ShortName, a.Name), 0)
		}
		if svc := st.Service(f.ServiceID); svc != nil {
			w.set(s, row, 3, svc.Name, 0)
		}
		w.set(s, row, 4, f.Comment, w.wrap)
		row++
	}
	if len(r.comments) == 0 {
		w.set(s, row, 1, "Tidak ada saran pada periode ini.", 0)
	}
	w.widths(s, 12, 18, 28, 80)

	x.SetActiveSheet(0)
	if w.err != nil {
		return nil, w.err
	}
	buf, err := x.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// unitName names what the report covers: a service, an agency, or the
// whole mall.
func (r *Report) unitName(st *queue.State) string {
	if svc := st.Service(r.ServiceID); svc != nil && r.ServiceID != "" {
		name := svc.Name
		if a := st.Agency(svc.AgencyID); a != nil {
			name = cmp.Or(a.ShortName, a.Name) + " — " + name
		}
		return name
	}
	if a := st.Agency(r.AgencyID); a != nil && r.AgencyID != "" {
		return a.Name
	}
	return "Semua instansi"
}

func weightLabel(mode string, n int) string {
	switch mode {
	case Weight0111:
		return "0,111 per unsur"
	case Weight011:
		return "0,11 per unsur"
	}
	return fmt.Sprintf("1/%d per unsur (tepat)", n)
}

// t is the form's Indonesian text.
func t(key string) string { return web.SKM.T("id", key) }

// sheetWriter writes cells and keeps the first error.
type sheetWriter struct {
	x                                                     *excelize.File
	err                                                   error
	bold, bold2, bold3, head, pct, dec2, dec3, dec4, wrap int
}

func (w *sheetWriter) style(s *excelize.Style) int {
	id, err := w.x.NewStyle(s)
	if err != nil && w.err == nil {
		w.err = err
	}
	return id
}

func (w *sheetWriter) styles() {
	f2, f3, f4 := "0.00", "0.000", "0.0000"
	bold := &excelize.Font{Bold: true}
	w.bold = w.style(&excelize.Style{Font: bold})
	w.bold2 = w.style(&excelize.Style{Font: bold, CustomNumFmt: &f2})
	w.bold3 = w.style(&excelize.Style{Font: bold, CustomNumFmt: &f3})
	w.head = w.style(&excelize.Style{Font: bold, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7F0FD"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	w.pct = w.style(&excelize.Style{NumFmt: 10}) // 0.00%
	w.dec2 = w.style(&excelize.Style{CustomNumFmt: &f2})
	w.dec3 = w.style(&excelize.Style{CustomNumFmt: &f3})
	w.dec4 = w.style(&excelize.Style{CustomNumFmt: &f4})
	w.wrap = w.style(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
}

func (w *sheetWriter) set(sheet string, row, col int, v any, style int) {
	cell, err := excelize.CoordinatesToCellName(col, row)
	if err == nil {
		err = w.x.SetCellValue(sheet, cell, v)
	}
	if err == nil && style != 0 {
		err = w.x.SetCellStyle(sheet, cell, cell, style)
	}
	if err != nil && w.err == nil {
		w.err = err
	}
}

func (w *sheetWriter) header(sheet string, row int, labels ...string) {
	for i, l := range labels {
		w.set(sheet, row, i+1, l, w.head)
	}
}

func (w *sheetWriter) widths(sheet string, widths ...float64) {
	for i, wd := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := w.x.SetColWidth(sheet, col, col, wd); err != nil && w.err == nil {
			w.err = err
		}
	}
}
