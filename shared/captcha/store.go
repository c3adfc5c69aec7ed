package captcha

import (
	"context"
	"time"

	dc "github.com/dchest/captcha"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// SiteStore is dchest/captcha's Store interface over the table, for the
// challenges of one site within one request: Set stores a challenge that
// expires after Life; Get returns a live challenge's digits, and with
// clear spends it (single use). The interface has no errors, so the first
// one is kept for Err.
type SiteStore struct {
	ctx   context.Context
	store Store
	site  string
	now   func() time.Time
	err   error
}

var _ dc.Store = (*SiteStore)(nil)

// ForSite returns the library's Store for site's challenges, bound to ctx.
func (s *Service) ForSite(ctx context.Context, site string) *SiteStore {
	return &SiteStore{ctx: ctx, store: s.store, site: site, now: s.now}
}

// Set stores digits for challenge id, expiring after Life.
func (st *SiteStore) Set(id string, digits []byte) {
	if err := st.store.PutCaptcha(st.ctx, st.site, id, digits, st.now().Add(Life)); err != nil && st.err == nil {
		st.err = err
	}
}

// Get returns the digits of a live challenge, or nil for an unknown,
// expired or used one. With clear, the challenge is deleted as it is read.
func (st *SiteStore) Get(id string, clear bool) []byte {
	var (
		d   []byte
		err error
	)
	if clear {
		d, err = st.store.TakeCaptcha(st.ctx, st.site, id)
	} else {
		d, err = st.store.CaptchaDigits(st.ctx, st.site, id)
	}
	if err != nil {
		if !livehelp.IsCode(err, livehelp.ENOTFOUND) && st.err == nil {
			st.err = err
		}
		return nil
	}
	return d
}

// Err returns the first storage error Set or Get met, if any.
func (st *SiteStore) Err() error { return st.err }
