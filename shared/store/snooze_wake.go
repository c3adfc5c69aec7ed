package store

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// WakeRequest says why a snoozed conversation wakes.
type WakeRequest struct {
	// Reason is livehelp.WakeReply, WakeEnd or WakeManual.
	Reason string
	// Due, when set, is the wake-up time the caller acts for (the sweep's
	// timer): a snooze that now ends at another time is left alone.
	Due time.Time
	// Operator and Name, for WakeManual, are who ends the snooze and takes
	// the conversation.
	Operator, Name string
}

// Wake ends the snooze of conversation id. By hand (WakeManual) the
// conversation goes to w.Operator within their slots (any presence state),
// or ECONFLICT comes back without a free slot or when it is not snoozed.
// Otherwise it goes down the wake-up chain: to the keeper when the snooze
// was kept and the keeper is available, else to the first available
// operator (livehelp.WakeOrder), else to the queue (waiting when the
// visitor is on the site and an operator online, offline otherwise). One
// TransactWriteItems takes the slot with routing's conditional counter,
// changes the conversation (conditional on its sequence and status), writes
// the system lines and deletes the snooze's timer; when the slot was taken
// meanwhile the site is read again and the next operator tried. A
// conversation that is not (or no longer) snoozed, or whose snooze ends at
// another time than w.Due, comes back unchanged: so two sweeps, or a sweep
// and the visitor's reply, wake it once.
func (s *Store) Wake(ctx context.Context, id string, w WakeRequest) (*Transition, error) {
	d, err := s.Detail(ctx, id)
	if err != nil {
		return nil, err
	}
	manual := w.Reason == livehelp.WakeManual
	for attempt := 1; ; attempt++ {
		c := d.Conversation
		if d.Snooze == nil || (!w.Due.IsZero() && !d.Snooze.Until.Equal(w.Due)) {
			if manual {
				return nil, livehelp.Errorf(livehelp.ECONFLICT, "The conversation is not snoozed; it is %s.", c.Phase())
			}
			return &Transition{Before: c, Conversation: c}, nil
		}
		var t *Transition
		if manual {
			t, err = s.wakeTo(ctx, d, w.Operator, w.Name, slotManual, []livehelp.Message{
				livehelp.WokeMessage(livehelp.WakeManual, w.Operator, w.Name),
				livehelp.SystemMessage(livehelp.EventAssigned, w.Operator, w.Name)})
		} else {
			t, err = s.wakeRouted(ctx, d, w.Reason, attempt)
		}
		switch {
		case err == nil:
			return t, nil
		case manual && errors.Is(err, errNoSlot):
			return nil, livehelp.Errorf(livehelp.ECONFLICT, "You have no free slot; close a conversation first.")
		case attempt == maxAttempts:
			return nil, err
		case errors.Is(err, errNoSlot):
			continue // someone took the slot: read the site again
		case errors.Is(err, errChanged):
			if d, err = s.Detail(ctx, id); err != nil {
				return nil, err
			}
		case livehelp.IsCode(err, livehelp.ECONFLICT):
			backoff(attempt)
		default:
			return nil, err
		}
	}
}

// wakeRouted runs one attempt of the wake-up chain.
func (s *Store) wakeRouted(ctx context.Context, d *Detail, reason string, attempt int) (*Transition, error) {
	c := d.Conversation
	site, err := s.Site(ctx, c.Site, true)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	woke := livehelp.WokeMessage(reason, "", "")
	var t *Transition
	if order := livehelp.WakeOrder(site.Presence, d.Snooze.By, d.Snooze.Keep, now); len(order) > 0 && attempt < maxAttempts {
		op := order[0]
		name := site.Presence[op].Name
		t, err = s.wakeTo(ctx, d, op, name, slotRouted, []livehelp.Message{woke, livehelp.SystemMessage(livehelp.EventAssigned, op, name)})
	} else {
		t, err = s.wakeQueued(ctx, d, queueFor(c, site, now), woke)
	}
	if err != nil {
		return nil, err
	}
	t.Online = onlineOperators(site, now)
	s.armWatch(ctx, site)
	return t, nil
}

// wakeTo gives the snoozed conversation of d to op, taking a slot as mode says.
func (s *Store) wakeTo(ctx context.Context, d *Detail, op, name string, mode slotMode, lines []livehelp.Message) (*Transition, error) {
	c := d.Conversation
	now := s.now().UTC().Truncate(time.Millisecond)
	slot, err := slots{take: op, mode: mode}.item(s, c.Site, now)
	if err != nil {
		return nil, err
	}
	var after livehelp.Conversation
	items, msgs, err := s.changeItems(c, &after, toAssigned(c, &after, op, name, now), nil, lines)
	if err != nil {
		return nil, err
	}
	items = append([]types.TransactWriteItem{slot}, items...)
	items = append(items, s.deleteTimerItem(snoozeTimer(c, d.Snooze.Until)))
	if err := s.transact(ctx, "wake conversation", items, errNoSlot, errChanged); err != nil {
		return nil, err
	}
	return &Transition{Before: c, Conversation: &after, Messages: msgs}, nil
}

// wakeQueued puts the snoozed conversation of d in a queue.
func (s *Store) wakeQueued(ctx context.Context, d *Detail, queue string, woke livehelp.Message) (*Transition, error) {
	c := d.Conversation
	now := s.now().UTC().Truncate(time.Millisecond)
	var after livehelp.Conversation
	items, msgs, err := s.changeItems(c, &after, toQueued(c, &after, queue, now), nil, []livehelp.Message{woke})
	if err != nil {
		return nil, err
	}
	items = append(items, s.deleteTimerItem(snoozeTimer(c, d.Snooze.Until)))
	if err := s.transact(ctx, "wake conversation", items, errChanged); err != nil {
		return nil, err
	}
	return &Transition{Before: c, Conversation: &after, Messages: msgs}, nil
}
