package captcha

import (
	"context"
	"crypto/rand"
	"io"
	"strings"
	"time"

	dc "github.com/dchest/captcha"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// Shape of a challenge.
const (
	Length = 6                // digits to type
	Life   = 10 * time.Minute // a challenge not solved by then is refused
	Width  = 180              // image pixels
	Height = 60
)

// Store is what the challenges need from the table (see package store).
type Store interface {
	PutCaptcha(ctx context.Context, site, id string, digits []byte, expires time.Time) error
	CaptchaDigits(ctx context.Context, site, id string) ([]byte, error)
	TakeCaptcha(ctx context.Context, site, id string) ([]byte, error)
	SolveCaptcha(ctx context.Context, site, id, answer, clientID string) (string, error)
}

// Outcomes of Store.SolveCaptcha, as package store names them.
const (
	solved  = "solved"
	wrong   = "wrong"
	expired = "expired"
)

// Service creates, draws and verifies challenges of one deployment.
type Service struct {
	store Store
	now   func() time.Time
}

// New returns a Service over st; now may be nil for time.Now.
func New(st Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, now: now}
}

// Create stores a new challenge for site and returns its id: one PutItem.
func (s *Service) Create(ctx context.Context, site string) (string, error) {
	st := s.ForSite(ctx, site)
	id := NewID()
	st.Set(id, dc.RandomDigits(Length))
	return id, st.Err()
}

// WriteImage writes the PNG of a live challenge of site. It returns
// ENOTFOUND for an unknown, expired or used one.
func (s *Service) WriteImage(ctx context.Context, w io.Writer, site, id string) error {
	d, err := s.digits(ctx, site, id)
	if err != nil {
		return err
	}
	_, err = dc.NewImage(id, d, Width, Height).WriteTo(w)
	return err
}

// WriteAudio writes the WAV of a live challenge of site, spoken in lang
// (en, ru, ja, zh or pt; English otherwise). It returns ENOTFOUND for an
// unknown, expired or used one.
func (s *Service) WriteAudio(ctx context.Context, w io.Writer, site, id, lang string) error {
	d, err := s.digits(ctx, site, id)
	if err != nil {
		return err
	}
	_, err = dc.NewAudio(id, d, lang).WriteTo(w)
	return err
}

func (s *Service) digits(ctx context.Context, site, id string) ([]byte, error) {
	if !ValidID(id) {
		return nil, livehelp.Errorf(livehelp.ENOTFOUND, "CAPTCHA not found.")
	}
	st := s.ForSite(ctx, site)
	d := st.Get(id, false)
	if err := st.Err(); err != nil {
		return nil, err
	}
	if d == nil {
		return nil, livehelp.Errorf(livehelp.ENOTFOUND, "This CAPTCHA has expired; ask for a new one.")
	}
	return d, nil
}

// Verify checks a visitor's answer to challenge id of site for the
// message with clientID and spends the challenge. It returns nil when the
// answer is right (again for a retry of the same message), and an
// EINVALID error on the "captcha" field when it is missing, wrong,
// expired or used: the visitor must type a new challenge.
func (s *Service) Verify(ctx context.Context, site, id, answer, clientID string) error {
	digits, ok := Normalize(answer)
	switch {
	case id == "" || answer == "":
		return invalid("Type the characters you see in the picture.")
	case !ValidID(id):
		return invalid("This code has expired. Type the characters of the new picture.")
	case !ok:
		return s.refuse(ctx, site, id, clientID)
	}
	outcome, err := s.store.SolveCaptcha(ctx, site, id, digits, clientID)
	if err != nil {
		return err
	}
	switch outcome {
	case solved:
		return nil
	case wrong:
		return invalid("The characters did not match. Type the characters of the new picture.")
	default:
		return invalid("This code has expired or was already used. Type the characters of the new picture.")
	}
}

// refuse burns a challenge answered with something that is not digits
// (an answer no challenge has) so it cannot be tried again.
func (s *Service) refuse(ctx context.Context, site, id, clientID string) error {
	outcome, err := s.store.SolveCaptcha(ctx, site, id, "x", clientID)
	if err != nil {
		return err
	}
	if outcome == expired {
		return invalid("This code has expired or was already used. Type the characters of the new picture.")
	}
	return invalid("The characters did not match. Type the characters of the new picture.")
}

func invalid(msg string) error {
	return livehelp.Invalid("Please check the code in the picture.", map[string]string{"captcha": msg})
}

// Normalize returns the digits of a typed answer: spaces, dashes and
// commas are dropped; any other non-digit makes it unusable (ok false).
func Normalize(answer string) (digits string, ok bool) {
	var b strings.Builder
	for _, r := range answer {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == ',' || r == '-' || r == '\t':
		default:
			return "", false
		}
	}
	return b.String(), b.Len() > 0 && b.Len() <= 32
}

// idChars are the characters of an id, as dchest/captcha makes them.
const idChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// NewID returns a random challenge id: 20 letters and digits (~119 bits),
// drawn without modulo bias.
func NewID() string {
	id := make([]byte, 0, 20)
	var buf [32]byte
	for len(id) < cap(id) {
		if _, err := rand.Read(buf[:]); err != nil {
			panic("captcha: crypto/rand failed: " + err.Error())
		}
		for _, v := range buf {
			if int(v) < 4*len(idChars) && len(id) < cap(id) { // 248: a multiple of 62
				id = append(id, idChars[int(v)%len(idChars)])
			}
		}
	}
	return string(id)
}

// ValidID reports whether id looks like an id NewID makes.
func ValidID(id string) bool {
	if len(id) != 20 {
		return false
	}
	for i := range len(id) {
		if !strings.ContainsRune(idChars, rune(id[i])) {
			return false
		}
	}
	return true
}

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
