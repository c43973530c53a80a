// Package survey is the satisfaction survey (SKM) and its index (IKM) of
// DOMAIN.md: the feedback API (POST /api/v1/tickets/{id}/feedback, with
// the visitor's key or a survey tablet's token), the IKM report (JSON,
// CSV and an xlsx workbook), the survey tablet's screen (/survey), the
// survey form shared with the visitor's ticket page, and the daily purge
// of profiles and comments past the site's retention.
package survey
