package store

import (
	"fmt"
	"strings"
	"time"
)

// Attribute and index names. They must match the Table in template.yaml.
const (
	attrPK     = "PK"
	attrSK     = "SK"
	attrGSI1PK = "GSI1PK"
	attrGSI1SK = "GSI1SK"
	attrGSI2PK = "GSI2PK"
	attrGSI2SK = "GSI2SK"
	attrTTL    = "ttl"
	indexGSI1  = "GSI1"
	indexGSI2  = "GSI2"
)

// Every key of the table is built here and nowhere else.
//
//	item                 PK                    SK                  GSI1PK / GSI1SK                    GSI2PK / GSI2SK
//	site                 SITE#<site>           SITE                SITES / SITE#<site>
//	signing key          CONFIG                KEY#<name>
//	operator             OP#<op>               OP                  SITE#<site>#OPS / OP#<email>
//	operator login       LOGIN#<email>         LOGIN
//	session              SESSION#<id>          SESSION
//	visitor              VIS#<visitor>         VIS
//	conversation         CONV#<conv>           CONV                VIS#<visitor>#CONVS / <created>#<conv>   SITE#<site>#Q#<state> / <queued>#<conv>  or  OP#<op>#CONVS / <assigned>#<conv>
//	message              CONV#<conv>           MSG#<seq:012>
//	client id            CONV#<conv>           CID#<client id>
//	conversation member  CONV#<conv>           CONN#<conn>
//	connection           CONN#<conn>           CONN                <OP|VIS>#<id>#CONNS / CONN#<conn>
//	due timer            DUE#<kind>#<yyyymmdd> <due ms:013>#<ref>
//	rate counter         RATE#<key>            W#<window start>
//	visitor email        SITE#<site>#EMAIL#<email>  EMAIL                      (points at the visitor who gave it first)
//	board item           VIS#<visitor>         BOARD#<item>        SITE#<site>#MSGS / <item>   SITE#<site>#UNANSWERED / <item>   (messages only; GSI2 only while unanswered)
//	board client id      VIS#<visitor>         BCID#<client id>                             (guards retries of one write)
//	transcript progress  VIS#<visitor>         BSYNC#<conv>                                 (how far a chat was copied to the board)
//	canned head          SITE#<site>#CANNED    HEAD                                         (imports in progress: their nodes stay hidden)
//	canned node          SITE#<site>#CANNED    NODE#<node>
//	group                GROUP#<group>         GROUP               SITE#<site>#GROUPS / <name>#<group>
//	API key              APIKEY#<key>          APIKEY              SITE#<site>#APIKEYS / APIKEY#<key>
//	daily stats          SITE#<site>#STATS     DAY#<yyyymmdd>
//	console settings     SITE#<site>           CONSOLE                                      (proactive chat settings)
//	captcha              CAPTCHA#<id>          CAPTCHA                                      (single use; expires on read, ttl for GC)
//	mail record          CONV#<conv>           MAIL#<first due ms:013>                      (one unread-reply email: claim, attempts, SES id)
//	snoozed conversation (the conversation item above)                                 SITE#<site>#SNOOZED / <until ms:013>#<conv>   (GSI2 while snoozed)
//	sweep timers         DUE#sweep#<yyyymmdd>  <due ms:013>#snooze#<conv> | #transfer#<conv> | #presence#<site>
//	presence watch       SITE#<site>           WATCH#presence                               (due time of the site's one armed presence timer)
//	visit                VIS#<visitor>         VISIT#<site>        SITE#<site>#VISITS / <seen ms:013>#<visitor>   (proactive chat: page, time on site, invitation; read fresh by seen)
//
// Board item ids are <created unix ms, 13 digits>-<suffix>, so a visitor's
// board sorts by time; a transcript's suffix is its conversation id.
const (
	skSite    = "SITE"
	skOp      = "OP"
	skLogin   = "LOGIN"
	skSession = "SESSION"
	skVisitor = "VIS"
	skConv    = "CONV"
	skConn    = "CONN"
)

func siteKey(site string) string       { return "SITE#" + site }
func sitesIndexKey() string            { return "SITES" }
func configKey() string                { return "CONFIG" }
func signingKeySK(name string) string  { return "KEY#" + name }
func operatorKey(op string) string     { return "OP#" + op }
func siteOperatorsKey(s string) string { return "SITE#" + s + "#OPS" }
func loginKey(email string) string     { return "LOGIN#" + strings.ToLower(email) }
func sessionKey(id string) string      { return "SESSION#" + id }
func visitorKey(v string) string       { return "VIS#" + v }
func visitorConvsKey(v string) string  { return "VIS#" + v + "#CONVS" }
func convKey(conv string) string       { return "CONV#" + conv }
func messageSK(seq int64) string       { return fmt.Sprintf("MSG#%012d", seq) }
func clientIDSK(cid string) string     { return "CID#" + cid }
func memberSK(conn string) string      { return "CONN#" + conn }
func connKey(conn string) string       { return "CONN#" + conn }
func queueKey(site, state string) string {
	return "SITE#" + site + "#Q#" + state
}
func operatorConvsKey(op string) string { return "OP#" + op + "#CONVS" }

// participantConnsKey indexes a participant's connections: role is "OP" or "VIS".
func participantConnsKey(role, id string) string { return role + "#" + id + "#CONNS" }

// dueKey buckets timers of one kind by UTC day.
func dueKey(kind string, t time.Time) string {
	return "DUE#" + kind + "#" + t.UTC().Format("20060102")
}

// dueSK sorts timers by due time, then by what they refer to.
func dueSK(t time.Time, ref string) string { return fmt.Sprintf("%013d#%s", t.UnixMilli(), ref) }

func rateKey(key string) string      { return "RATE#" + key }
func rateSK(window time.Time) string { return fmt.Sprintf("W#%013d", window.UnixMilli()) }
func timeSK(t time.Time) string      { return t.UTC().Format("20060102T150405.000000000Z") }

// Console keys: visitor profiles, Message board, canned messages, groups,
// API keys, statistics (profile*.go, board*.go, canned*.go, group*.go,
// call*.go, report*.go).
const (
	skEmail   = "EMAIL"
	skHead    = "HEAD"
	skGroup   = "GROUP"
	skAPIKey  = "APIKEY"
	skConsole = "CONSOLE"
)

func visitorEmailKey(site, email string) string {
	return "SITE#" + site + "#EMAIL#" + strings.ToLower(email)
}
func boardSK(item string) string           { return "BOARD#" + item }
func boardPrefix() string                  { return "BOARD#" }
func boardClientSK(cid string) string      { return "BCID#" + cid }
func boardSyncSK(conv string) string       { return "BSYNC#" + conv }
func siteMessagesKey(site string) string   { return "SITE#" + site + "#MSGS" }
func siteUnansweredKey(site string) string { return "SITE#" + site + "#UNANSWERED" }
func cannedKey(site string) string         { return "SITE#" + site + "#CANNED" }
func cannedNodeSK(node string) string      { return "NODE#" + node }
func groupKey(group string) string         { return "GROUP#" + group }
func siteGroupsKey(site string) string     { return "SITE#" + site + "#GROUPS" }
func apiKeyKey(id string) string           { return "APIKEY#" + id }
func siteAPIKeysKey(site string) string    { return "SITE#" + site + "#APIKEYS" }
func statsKey(site string) string          { return "SITE#" + site + "#STATS" }
func statsDaySK(day time.Time) string      { return "DAY#" + day.UTC().Format("20060102") }

// boardItemID returns a board item id: the creation time in unix ms, fixed
// width, then suffix.
func boardItemID(created time.Time, suffix string) string {
	return fmt.Sprintf("%013d-%s", created.UnixMilli(), suffix)
}

// Offline form and mailer keys (captcha*.go, mail*.go).
const skCaptcha = "CAPTCHA"

func captchaKey(id string) string { return "CAPTCHA#" + id }
func mailPrefix() string          { return "MAIL#" }
func mailSK(firstDue time.Time) string {
	return fmt.Sprintf("MAIL#%013d", firstDue.UnixMilli())
}

// Chat keys (conversations, queue, client ids).

// convTimeSK sorts a visitor's or an operator's conversations by time (GSI1SK, GSI2SK).
func convTimeSK(t time.Time, conv string) string { return timeSK(t) + "#" + conv }

// queueSK sorts a site's queue by the time a conversation entered it (GSI2SK).
func queueSK(queued time.Time, conv string) string { return convTimeSK(queued, conv) }

// senderClientIDSK reserves one sender's client id in a conversation, so
// the two sides' ids never collide.
func senderClientIDSK(sender, cid string) string { return clientIDSK(sender + "#" + cid) }

// Snooze, transfer and sweep keys (snooze*.go, transfer*.go, sweep*.go).

// snoozedKey lists a site's snoozed conversations (GSI2PK) and snoozedSK
// sorts them by wake-up time (GSI2SK).
func snoozedKey(site string) string { return "SITE#" + site + "#SNOOZED" }
func snoozedSK(until time.Time, conv string) string {
	return fmt.Sprintf("%013d#%s", until.UnixMilli(), conv)
}

// Sweep timer refs (the part of a TimerSweep sort key after the due time).
func snoozeRef(conv string) string   { return "snooze#" + conv }
func transferRef(conv string) string { return "transfer#" + conv }
func presenceRef(site string) string { return "presence#" + site }

// watchSK is a site's presence watch item.
func watchSK() string { return "WATCH#presence" }

// Proactive chat keys (proactive.go, visit.go).

// visitSK is a visitor's visit item on a site; siteVisitsKey lists a
// site's visits (GSI1PK) and visitSeenSK sorts them by last report
// (GSI1SK), so a Query from now − VisitListed reads only recent ones.
func visitSK(site string) string       { return "VISIT#" + site }
func siteVisitsKey(site string) string { return "SITE#" + site + "#VISITS" }
func visitSeenSK(seen time.Time, visitor string) string {
	return fmt.Sprintf("%013d#%s", seen.UnixMilli(), visitor)
}
