// Desktop notification and a short sound for a new chat, so an agent working in another
// window hears it.

let audio: AudioContext | null = null

/** Plays two short tones (no sound file to load). */
export function chime() {
  try {
    const Ctx = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext
    if (!Ctx) return
    audio ??= new Ctx()
    const now = audio.currentTime
    for (const [i, freq] of [880, 1320].entries()) {
      const osc = audio.createOscillator()
      const gain = audio.createGain()
      osc.frequency.value = freq
      gain.gain.setValueAtTime(0.15, now + i * 0.15)
      gain.gain.exponentialRampToValueAtTime(0.001, now + i * 0.15 + 0.14)
      osc.connect(gain).connect(audio.destination)
      osc.start(now + i * 0.15)
      osc.stop(now + i * 0.15 + 0.15)
    }
  } catch {
    // No sound: the notification and the list still show it.
  }
}

export type NotifyPermission = 'granted' | 'denied' | 'default' | 'unsupported'

export function notifyPermission(): NotifyPermission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission
}

/** Asks for permission; must run from a click. */
export async function askNotifyPermission(): Promise<NotifyPermission> {
  if (typeof Notification === 'undefined') return 'unsupported'
  return Notification.requestPermission()
}

/** Shows a desktop notification (when allowed) and plays the chime. */
export function notifyNewChat(title: string, body: string, onClick?: () => void) {
  chime()
  if (notifyPermission() !== 'granted') return
  try {
    const n = new Notification(title, { body, tag: title })
    n.onclick = () => {
      window.focus()
      onClick?.()
      n.close()
    }
  } catch {
    // Some browsers only notify from a service worker: the chime was enough.
  }
}
