// Notifications for new chats and messages: a short beep (WebAudio, no
// sound file), a desktop notification when the operator allowed them, and
// the count of unseen events in the tab title.

let audio = null;
let unseen = 0;
const baseTitle = 'Live Help console';

/** beep plays two short tones. Browsers allow it after the first click. */
export function beep() {
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    if (audio.state === 'suspended') audio.resume();
    const t = audio.currentTime;
    for (const [freq, start] of [[880, 0], [1320, 0.14]]) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t + start);
      gain.gain.exponentialRampToValueAtTime(0.25, t + start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + start + 0.12);
      osc.connect(gain).connect(audio.destination);
      osc.start(t + start);
      osc.stop(t + start + 0.13);
    }
  } catch (e) {
    // no sound available: the title and notification still tell
  }
}

/** canNotify reports whether desktop notifications are allowed. */
export function canNotify() {
  return 'Notification' in window && Notification.permission === 'granted';
}

/** askPermission asks for desktop notifications (from a click). */
export async function askPermission() {
  if (!('Notification' in window)) return 'unsupported';
  if (Notification.permission === 'default') return Notification.requestPermission();
  return Notification.permission;
}

/**
 * notify tells the operator about something new: sound, a desktop
 * notification when the tab is hidden and permitted, and the title count.
 * Texts go into the notification as plain text.
 */
export function notify(title, body, onClick) {
  beep();
  if (document.hidden || !document.hasFocus()) {
    unseen++;
    showCount();
  }
  if (canNotify() && (document.hidden || !document.hasFocus())) {
    try {
      const n = new Notification(title, {body: String(body || '').slice(0, 180), tag: 'livehelp-' + title, silent: true});
      n.onclick = () => { window.focus(); if (onClick) onClick(); n.close(); };
    } catch (e) {
      // notifications may be unavailable in this context
    }
  }
}

/** setWaiting shows counts that need attention in the tab title. */
let attention = 0;
export function setAttention(n) {
  attention = n;
  showCount();
}

function showCount() {
  const n = unseen + attention;
  document.title = n > 0 ? `(${n}) ${baseTitle}` : baseTitle;
}

window.addEventListener('focus', () => { unseen = 0; showCount(); });
document.addEventListener('visibilitychange', () => { if (!document.hidden) { unseen = 0; showCount(); } });
