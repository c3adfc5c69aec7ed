// Snooze and transfer from the chat pane: the snooze dialog (3 hours,
// 1 day, or a date and time in the operator's time zone; keep the
// conversation), the transfer dialog (an operator or a group, a comment
// for the receiver, and "Transfer anyway" when the target is unavailable),
// and the note the chat head shows about a snooze or a transfer. Actions
// go over the chat WebSocket (functions/chat/PROTOCOL.md).

import {api} from './api.js';
import {h, fieldErrors, when} from './dom.js';
import {confirmDialog, formDialog, toast} from './dialog.js';

/** zone is the browser's IANA time zone, sent with a chosen date. */
export function zone() {
  try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch (e) { return 'UTC'; }
}

/** localInput formats a Date for a datetime-local input. */
function localInput(d) {
  const p = n => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** snoozeDialog asks when the snooze ends and snoozes; it resolves with the reply, or null. */
export function snoozeDialog(app, id) {
  const tomorrow = new Date(Date.now() + 24 * 3600 * 1000);
  tomorrow.setHours(9, 0, 0, 0);
  return formDialog('Snooze this conversation', body => {
    const choice = (value, label, checked) => h('label', {class: 'choice'},
      h('input', {type: 'radio', name: 'for', value, checked}), ' ', label);
    const at = h('input', {type: 'datetime-local', id: 'snooze-until', name: 'until', value: localInput(tomorrow),
      min: localInput(new Date(Date.now() + 60000))});
    body.append(
      h('p', {class: 'muted'}, 'Your slot is freed now. If the visitor writes, the conversation comes back at once.'),
      h('fieldset', {},
        h('legend', {}, 'Until'),
        choice('3h', '3 hours', true), choice('1d', '1 day', false), choice('at', 'A date and time:', false),
        h('label', {for: 'snooze-until', class: 'visually-hidden'}, 'Date and time (' + zone() + ')'), at,
        h('p', {class: 'muted small'}, 'Your time zone: ' + zone())),
      h('label', {class: 'choice'}, h('input', {type: 'checkbox', name: 'keep', id: 'snooze-keep'}),
        ' Keep the conversation at the end of the snooze'));
    at.addEventListener('focus', () => { body.querySelector('input[value=at]').checked = true; });
  }, async form => {
    const pick = form.querySelector('input[name=for]:checked').value;
    const frame = {action: 'snooze', conversation: id, keep: form.keep.checked, zone: zone()};
    if (pick === 'at') frame.until = form.until.value; else frame.for = pick;
    try {
      const res = await app.live.request(frame);
      toast('Snoozed until ' + when(res.snooze.until) + '.');
      return res;
    } catch (e) {
      fieldErrors(form, e);
      if (!e.fields) toast(e.message || 'The conversation was not snoozed.', 'error');
      throw e;
    }
  }, 'Snooze');
}

/** transferDialog asks who gets the conversation and transfers it; it resolves with the reply, or null. */
export async function transferDialog(app, id) {
  const targets = await api('GET', 'transfer-targets');
  const others = targets.operators.filter(o => o.id !== app.me.id);
  const label = o => o.name + ' — ' + (o.available ? 'available' : o.state === 'online' ? 'no free slot' : o.state);
  return formDialog('Transfer this conversation', body => {
    const select = h('select', {id: 'transfer-to', name: 'operator', required: true},
      h('option', {value: ''}, 'Choose…'),
      others.length ? h('optgroup', {label: 'Operators'}, others.map(o => h('option', {value: 'op:' + o.id}, label(o)))) : null,
      targets.groups.length ? h('optgroup', {label: 'Groups'}, targets.groups.map(g =>
        h('option', {value: 'group:' + g.id}, g.name + ' — ' + g.available + ' available'))) : null);
    body.append(h('label', {for: 'transfer-to'}, 'Transfer to'), select,
      h('label', {for: 'transfer-comment'}, 'Comment for the receiver (the visitor does not see it)'),
      h('textarea', {id: 'transfer-comment', name: 'comment', rows: 3, maxlength: 1000}));
  }, async form => {
    const [kind, target] = form.operator.value.split(/:(.*)/s);
    const frame = {action: 'transfer', conversation: id, comment: form.comment.value};
    if (kind === 'group') frame.group = target; else frame.operator = target;
    try {
      return await app.live.request(frame);
    } catch (e) {
      if (e.code === 'conflict' && e.fields && e.fields.target) {
        const anyway = await confirmDialog({title: 'Transfer anyway?', message: e.message, yes: 'Transfer anyway'});
        if (anyway) return app.live.request({...frame, force: true}).catch(err => { toast(err.message, 'error'); throw err; });
      } else {
        fieldErrors(form, e);
        toast(e.message || 'The conversation was not transferred.', 'error');
      }
      throw e;
    }
  }, 'Transfer');
}

/** handlingNote is the chat head's line about a snooze or a transfer waiting to be handled. */
export function handlingNote(detail, me) {
  if (!detail) return null;
  const s = detail.snooze, x = detail.transfer;
  if (s) {
    return h('p', {class: 'handling-note'}, 'Snoozed by ' + (s.by_name || 'an operator') + ' until ' + when(s.until) +
      (s.keep ? ' (kept by ' + (s.by === me ? 'you' : s.by_name) + ')' : '') + '.');
  }
  if (x) {
    return h('div', {class: 'handling-note transfer'},
      h('p', {}, 'Transferred by ' + (x.from_name || 'an operator') + (x.group_name ? ' to ' + x.group_name : '') +
        '. Accept or reply before ' + when(x.deadline) + ', or it goes to another operator.'),
      x.comment ? h('blockquote', {}, x.comment) : null);
  }
  return null;
}
