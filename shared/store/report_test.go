package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

func TestStatsAndMedian(t *testing.T) {
	t.Parallel()
	st, now := consoleStore(t)
	ctx := context.Background()
	day1 := *now
	offline(t, st, "s1", "v1", "m1", "a", "a")
	offline(t, st, "s1", "v2", "m2", "b", "b")
	for _, w := range []time.Duration{30 * time.Second, 90 * time.Second, 10 * time.Second} {
		if err := st.RecordChat(ctx, "s1", day1); err != nil {
			t.Fatal(err)
		}
		if err := st.RecordFirstResponse(ctx, "s1", day1, w); err != nil {
			t.Fatal(err)
		}
	}
	day3 := day1.AddDate(0, 0, 2)
	*now = day3
	offline(t, st, "s1", "v3", "m3", "c", "c")
	if err := st.RecordFirstResponse(ctx, "s1", day3, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	days, err := st.Stats(ctx, "s1", day1, day3)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Day             string
		Chats, Messages int
	}
	var got []row
	for _, d := range days {
		got = append(got, row{d.Day.Format("2006-01-02"), d.Chats, d.Messages})
	}
	want := []row{{"2026-11-21", 3, 2}, {"2026-11-22", 0, 0}, {"2026-11-23", 0, 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("days (-want +got):\n%s", diff)
	}
	if m, n := store.MedianFirstResponse(days); n != 4 || m != 60*time.Second {
		t.Errorf("median = %v over %d, want 1m0s over 4", m, n)
	}
	if _, err := st.Stats(ctx, "s1", day3, day1); !livehelp.IsCode(err, livehelp.EINVALID) {
		t.Errorf("reversed range: %v", err)
	}
	other, _ := st.Stats(ctx, "s2", day1, day3)
	for _, d := range other {
		if d.Chats+d.Messages != 0 {
			t.Errorf("site s2 has figures: %+v", d)
		}
	}
}

func TestGroupsAndAPIKeys(t *testing.T) {
	t.Parallel()
	st, _ := consoleStore(t)
	ctx := context.Background()
	for _, op := range []*livehelp.Operator{
		{ID: "o1", Site: "s1", Email: "o1@example.com", Name: "One", Role: livehelp.RoleOperator},
		{ID: "o2", Site: "s1", Email: "o2@example.com", Name: "Two", Role: livehelp.RoleOperator},
		{ID: "o3", Site: "s2", Email: "o3@example.com", Name: "Three", Role: livehelp.RoleOperator},
	} {
		if err := st.CreateOperator(ctx, op); err != nil {
			t.Fatal(err)
		}
	}
	g := &livehelp.Group{Site: "s1", Name: "Sales", Members: []string{"o2", "o1", "o1"}}
	if err := st.CreateGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []*livehelp.Group{
		{Site: "s1", Name: "sales"},
		{Site: "s1", Name: ""},
		{Site: "s1", Name: "Mixed", Members: []string{"o3"}},
	} {
		if err := st.CreateGroup(ctx, bad); !livehelp.IsCode(err, livehelp.EINVALID) {
			t.Errorf("CreateGroup(%+v) = %v, want invalid", bad, err)
		}
	}
	g.Name, g.Members = "Sales EU", []string{"o1"}
	if err := st.UpdateGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	groups, err := st.Groups(ctx, "s1")
	if err != nil || len(groups) != 1 || groups[0].Name != "Sales EU" || !cmp.Equal(groups[0].Members, []string{"o1"}) {
		t.Errorf("groups = %+v, %v", groups, err)
	}
	if _, err := st.Group(ctx, "s2", g.ID); !livehelp.IsCode(err, livehelp.ENOTFOUND) {
		t.Errorf("group from another site: %v", err)
	}

	k, whole, err := st.CreateAPIKey(ctx, "s1", "PBX")
	if err != nil || !strings.HasPrefix(whole, store.APIKeyPrefix+k.ID+"_") {
		t.Fatalf("CreateAPIKey = %v %q %v", k, whole, err)
	}
	if got, err := st.CheckAPIKey(ctx, whole); err != nil || got.Site != "s1" || got.Name != "PBX" {
		t.Errorf("CheckAPIKey = %+v, %v", got, err)
	}
	for _, bad := range []string{"", whole[:len(whole)-1] + "x", "lhk_" + k.ID, strings.Replace(whole, k.ID, "0000000000000000", 1)} {
		if _, err := st.CheckAPIKey(ctx, bad); !livehelp.IsCode(err, livehelp.EUNAUTHORIZED) {
			t.Errorf("CheckAPIKey(%q) = %v, want unauthorized", bad, err)
		}
	}
	if err := st.DeleteAPIKey(ctx, "s2", k.ID); !livehelp.IsCode(err, livehelp.ENOTFOUND) {
		t.Errorf("delete from another site: %v", err)
	}
	if err := st.DeleteAPIKey(ctx, "s1", k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CheckAPIKey(ctx, whole); !livehelp.IsCode(err, livehelp.EUNAUTHORIZED) {
		t.Errorf("revoked key: %v", err)
	}
}
