package ctl

import (
	"fmt"
	"io"
	"strings"
)

// progress draws the progress of a long step (reading an import's files): a bar redrawn in place on a
// terminal, or a line at every quarter when output goes to a file or pipe
// (so logs stay readable).
type progress struct {
	w     io.Writer
	verb  string // what is counted: "read", "imported"
	total int
	tty   bool
	done  int
	shown int // quarters printed (non-terminal)
}

// progressWidth is the number of cells in the bar.
const progressWidth = 30

func newProgress(w io.Writer, total int, tty bool, verb string) *progress {
	return &progress{w: w, total: total, tty: tty, verb: verb}
}

// Update records that done of total items are written.
func (p *progress) Update(done, total int) {
	if total > 0 {
		p.total = total
	}
	p.done = min(max(done, 0), p.total)
	if p.tty {
		fmt.Fprint(p.w, "\r"+renderBar(p.done, p.total, progressWidth))
		return
	}
	for p.total > 0 && p.shown < 4 && p.done*4 >= (p.shown+1)*p.total {
		p.shown++
		fmt.Fprintf(p.w, "%s %d/%d\n", p.verb, p.shown*p.total/4, p.total)
	}
}

// Done ends the bar's line on a terminal.
func (p *progress) Done(ok bool) {
	if p.tty && p.total > 0 {
		if ok {
			fmt.Fprint(p.w, "\r"+renderBar(p.total, p.total, progressWidth))
		}
		fmt.Fprintln(p.w)
	}
}

// renderBar returns "[#####.....]  50% 5/10" for done of total.
func renderBar(done, total, width int) string {
	if total <= 0 {
		return "[" + strings.Repeat("#", width) + "] 100% 0/0"
	}
	filled := done * width / total
	return fmt.Sprintf("[%s%s] %3d%% %d/%d", strings.Repeat("#", filled), strings.Repeat(".", width-filled),
		done*100/total, done, total)
}
