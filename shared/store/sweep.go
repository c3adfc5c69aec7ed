package store

import (
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// What a TimerSweep timer is about (SweepTimer.Kind).
const (
	SweepSnooze   = "snooze"   // a snooze ends: wake the conversation
	SweepTransfer = "transfer" // a transfer's deadline: reassign it unless handled
	SweepPresence = "presence" // check a site's presence summary for stale entries
)

// SweepTimer is a due TimerSweep timer as the sweep reads it.
type SweepTimer struct {
	Timer
	Kind         string // SweepSnooze, SweepTransfer or SweepPresence
	Conversation string // snooze and transfer timers
	Site         string
	Seq          int64 // transfer timers: the transfer's system line
}

// ParseSweepTimer reads a TimerSweep timer; ok is false for one it does
// not know (the sweep drops those).
func ParseSweepTimer(t Timer) (st SweepTimer, ok bool) {
	kind, id, found := strings.Cut(t.Ref, "#")
	if !found || id == "" || strings.Contains(id, "#") {
		return SweepTimer{Timer: t}, false
	}
	st = SweepTimer{Timer: t, Kind: kind, Site: t.Data["site"]}
	switch kind {
	case SweepSnooze:
		st.Conversation = id
	case SweepTransfer:
		st.Conversation = id
		seq, err := strconv.ParseInt(t.Data["seq"], 10, 64)
		if err != nil || seq <= 0 {
			return st, false
		}
		st.Seq = seq
	case SweepPresence:
		st.Site = id
	default:
		return st, false
	}
	return st, true
}

func snoozeTimer(c *livehelp.Conversation, until time.Time) Timer {
	return Timer{Kind: TimerSweep, Due: until, Ref: snoozeRef(c.ID), Data: map[string]string{"conv": c.ID, "site": c.Site}}
}

func transferTimer(c *livehelp.Conversation, due time.Time, seq int64) Timer {
	return Timer{Kind: TimerSweep, Due: due, Ref: transferRef(c.ID),
		Data: map[string]string{"conv": c.ID, "site": c.Site, "seq": strconv.FormatInt(seq, 10)}}
}

func presenceTimer(site string, due time.Time) Timer {
	return Timer{Kind: TimerSweep, Due: due, Ref: presenceRef(site), Data: map[string]string{"site": site}}
}

// slotMode says what taking an operator's slot requires of their entry in
// the site's presence summary; every mode counts the slot in l.
type slotMode int

const (
	slotRouted slotMode = iota // online, fresh and load < slots: routing, wake-ups, transfers, reassignment
	slotManual                 // load < slots in any state: the operator asks for it (unsnooze)
	slotForced                 // the entry exists, load may pass slots: a transfer anyway
)

// slots is what one transaction changes in a site's presence summary: a
// transaction may touch the site item once, so freeing one operator's
// slot and taking another's is one conditional Update.
type slots struct {
	free  string        // the operator whose slot is freed (load − 1, conditional on load > 0), if any
	take  string        // the operator who gets a slot, if any
	mode  slotMode      // how take's slot is taken
	entry *presenceItem // a new entry for take, who has none (a transfer anyway); mode is then ignored
}

// item returns the Update of the site item: the conditional counter of
// routing.go's assign and Close, for both operators at once. Its
// condition failing means one of the two entries changed: read the site
// again.
func (sl slots) item(s *Store, site string, now time.Time) (types.TransactWriteItem, error) {
	var upd expression.UpdateBuilder
	cond := expression.AttributeExists(expression.Name(attrPK))
	if op := sl.free; op != "" {
		l := opField(op, "l")
		upd = upd.Set(l, l.Minus(expression.Value(1))).Set(opField(op, "i"), expression.Value(now.UnixMilli()))
		cond = cond.And(expression.AttributeExists(opPath(op)), l.GreaterThan(expression.Value(0)))
	}
	switch op := sl.take; {
	case op == "":
	case sl.entry != nil:
		upd = upd.Set(opPath(op), expression.Value(*sl.entry))
		cond = cond.And(expression.AttributeNotExists(opPath(op)))
	default:
		l, k := opField(op, "l"), opField(op, "k")
		upd = upd.Set(l, l.Plus(expression.Value(1))).Set(opField(op, "i"), expression.Value(now.UnixMilli()))
		cond = cond.And(expression.AttributeExists(opPath(op)))
		if sl.mode != slotForced {
			cond = cond.And(l.LessThan(k))
		}
		if sl.mode == slotRouted {
			cond = cond.And(opField(op, "s").Equal(expression.Value(livehelp.PresenceOnline)),
				opField(op, "u").GreaterThan(expression.Value(now.UnixMilli())))
		}
	}
	expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Update: &types.Update{TableName: tableName(s), Key: key(siteKey(site), skSite),
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}}, nil
}

// newEntry is the presence entry of an operator who never came online and
// gets a conversation anyway: offline, holding it.
func newEntry(name string, slots int, now time.Time) *presenceItem {
	return &presenceItem{Name: name, State: livehelp.PresenceOffline, Load: 1, Slots: slots, IdleSince: now.UnixMilli()}
}

// holds reports whether op's entry in the summary counts a conversation
// (so freeing its slot may be conditional on load > 0).
func holds(site *livehelp.Site, op string) bool {
	p, ok := site.Presence[op]
	return ok && p.Load > 0
}

// changeItems is conversationChange with an extra condition on the
// conversation (extra may be nil): the transaction items that apply upd to
// c, conditional on its sequence, status and queue as read, and append
// lines as the next messages; after gets the new sequence and times.
func (s *Store) changeItems(c, after *livehelp.Conversation, upd expression.UpdateBuilder, extra *expression.ConditionBuilder,
	lines []livehelp.Message) ([]types.TransactWriteItem, []livehelp.Message, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	after.Seq, after.Updated = c.Seq+int64(len(lines)), now
	upd = upd.Set(expression.Name(attrSeq), expression.Value(after.Seq)).Set(expression.Name("updated"), expression.Value(now.UnixMilli()))
	cond := expression.Name(attrSeq).Equal(expression.Value(c.Seq)).And(expression.Name(attrStatus).Equal(expression.Value(c.Status)))
	if c.Queue != "" {
		cond = cond.And(expression.Name(attrQueue).Equal(expression.Value(c.Queue)))
	}
	if extra != nil {
		cond = cond.And(*extra)
	}
	expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return nil, nil, err
	}
	items := []types.TransactWriteItem{{Update: &types.Update{TableName: tableName(s), Key: key(convKey(c.ID), skConv),
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}}}
	msgs := make([]livehelp.Message, len(lines))
	for i, m := range lines {
		m.Seq, m.Time = c.Seq+int64(i+1), now
		msgs[i] = m
		items = append(items, s.putMessage(c.ID, m))
	}
	return items, msgs, nil
}

// toAssigned returns the update (and sets after) that gives c to op: the
// conversation joins op's list (GSI2) and leaves any queue; what snooze
// and transfer kept on it is removed.
func toAssigned(c, after *livehelp.Conversation, op, name string, now time.Time) expression.UpdateBuilder {
	*after = *c
	after.Status, after.Queue, after.Operator, after.OperatorName = livehelp.StatusAssigned, "", op, name
	after.Assigned = now
	upd := expression.Set(expression.Name(attrStatus), expression.Value(livehelp.StatusAssigned)).
		Set(expression.Name("op"), expression.Value(op)).Set(expression.Name("opname"), expression.Value(name)).
		Set(expression.Name(attrGSI2PK), expression.Value(operatorConvsKey(op))).
		Set(expression.Name(attrGSI2SK), expression.Value(convTimeSK(now, c.ID))).
		Set(expression.Name("assigned"), expression.Value(now.UnixMilli())).
		Remove(expression.Name(attrQueue))
	return removeWork(upd)
}

// toQueued returns the update (and sets after) that puts c in a queue
// (waiting or offline) as of now, without an operator.
func toQueued(c, after *livehelp.Conversation, queue string, now time.Time) expression.UpdateBuilder {
	*after = *c
	after.Status, after.Queue, after.Operator, after.OperatorName = livehelp.StatusQueued, queue, "", ""
	after.Queued = now
	upd := expression.Set(expression.Name(attrStatus), expression.Value(livehelp.StatusQueued)).
		Set(expression.Name(attrQueue), expression.Value(queue)).
		Set(expression.Name(attrGSI2PK), expression.Value(queueKey(c.Site, queue))).
		Set(expression.Name(attrGSI2SK), expression.Value(queueSK(now, c.ID))).
		Set(expression.Name("queued"), expression.Value(now.UnixMilli())).
		Remove(expression.Name("op")).Remove(expression.Name("opname"))
	return removeWork(upd)
}

// The conversation attributes a snooze and a transfer keep (workItem).
var (
	snoozeAttrs   = []string{"snz_until", "snz_keep", "snz_by", "snz_byname", "snz_at"}
	transferAttrs = []string{"xfer_seq", "xfer_from", "xfer_fromname", "xfer_to", "xfer_group", "xfer_groupname",
		"xfer_note", "xfer_at", "xfer_due", "xfer_ok"}
)

// removeWork removes every snooze and transfer attribute.
func removeWork(upd expression.UpdateBuilder) expression.UpdateBuilder {
	return removeAttrs(removeAttrs(upd, snoozeAttrs), transferAttrs)
}

func removeAttrs(upd expression.UpdateBuilder, names []string) expression.UpdateBuilder {
	for _, a := range names {
		upd = upd.Remove(expression.Name(a))
	}
	return upd
}

// queueFor is where routing would leave c with nobody available: waiting
// when its visitor is on the site and an operator is online, else offline.
func queueFor(c *livehelp.Conversation, site *livehelp.Site, now time.Time) string {
	if c.Online() && livehelp.AnyOnline(site.Presence, now) {
		return livehelp.QueueWaiting
	}
	return livehelp.QueueOffline
}

// onlineOperators lists the operators online and fresh at now.
func onlineOperators(site *livehelp.Site, now time.Time) []string {
	var ids []string
	for id, p := range site.Presence {
		if p.Online(now) {
			ids = append(ids, id)
		}
	}
	return ids
}
