package auth

import (
	"context"
	"sync"
	"time"
)

// Keyring loads the signing key once per process and hands out a Signer.
// A failed load is retried on the next call.
type Keyring struct {
	load func(ctx context.Context) ([]byte, error)
	now  func() time.Time

	mu     sync.Mutex
	signer *Signer
}

// NewKeyring returns a Keyring that loads the key with load.
func NewKeyring(load func(ctx context.Context) ([]byte, error), now func() time.Time) *Keyring {
	return &Keyring{load: load, now: now}
}

// Signer returns the process's Signer, loading the key on first use.
func (k *Keyring) Signer(ctx context.Context) (*Signer, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.signer != nil {
		return k.signer, nil
	}
	key, err := k.load(ctx)
	if err != nil {
		return nil, err
	}
	k.signer = NewSigner(key, k.now)
	return k.signer, nil
}
