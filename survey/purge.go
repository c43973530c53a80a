package survey

import (
	"context"
	"log/slog"
	"time"

	"github.com/mpp-digital/antrean/queue"
)

// Purger keeps the survey within the site's retention (UU 27/2022,
// DOMAIN.md "Personal data"): the profiles and comments of responses
// older than retention_days days are removed; the scores stay, so the
// IKM of an old period still computes. A response of day D keeps them
// while D is at most retention_days days before today (the site's zone).
//
// Run checks at start and then every hour: the cutoff moves once a day,
// at local midnight, and a check that finds nothing new reads nothing
// (the store remembers how far it purged). The time is the engine's.
type Purger struct {
	Engine *queue.Engine
	Logger *slog.Logger
	// Every is the time between checks (1 h when zero).
	Every time.Duration
}

// Cutoff is the first day whose responses keep their profiles and
// comments at the time now.
func Cutoff(st *queue.State, now time.Time) string {
	return now.In(st.Loc).AddDate(0, 0, -st.Site.RetentionDays).Format(queue.DateLayout)
}

// PurgeOnce purges what is due at the time now and answers how many
// responses it changed.
func (p *Purger) PurgeOnce(now time.Time) (int, error) {
	return p.Engine.Store().PurgeFeedback(Cutoff(p.Engine.State(), now))
}

// Run purges until ctx ends.
func (p *Purger) Run(ctx context.Context) {
	every := p.Every
	if every <= 0 {
		every = time.Hour
	}
	log := p.Logger
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		now := p.Engine.Now()
		if n, err := p.PurgeOnce(now); err != nil {
			log.Error("survey: purging profiles and comments past retention", "err", err)
		} else if n > 0 {
			log.Info("survey: purged profiles and comments past retention", "responses", n, "before", Cutoff(p.Engine.State(), now))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
