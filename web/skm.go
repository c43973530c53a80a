package web

import "embed"

//go:embed i18n/skm/*.json
var skmFS embed.FS

// SKM is the catalogue of the satisfaction survey form (static/skm.js):
// the pages that show the form (the visitor's ticket page, the survey
// tablet) merge it into theirs, and the IKM workbook takes its profile
// labels from it.
var SKM = MustCatalog(skmFS, "i18n/skm")
