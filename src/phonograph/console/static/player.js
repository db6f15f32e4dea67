// The recording page's player: wavesurfer.js 8 (vendored) drawing server-computed peaks, one
// waveform per channel (splitChannels), the pause ledger as regions (a silence pause as a band, a
// skip pause as a marker), and transcript lines that seek. The audio streams from the console's
// media route; the browser never decodes the whole file.
import WaveSurfer from './vendor/wavesurfer-8.0.1.esm.js'
import RegionsPlugin from './vendor/wavesurfer-regions-8.0.1.esm.js'
import TimelinePlugin from './vendor/wavesurfer-timeline-8.0.1.esm.js'

const box = document.getElementById('waveform')
const player = JSON.parse(box.dataset.player)
const colors = ['#1f5fa8', '#a8451f']
const drawn = (window.phonographPlayer = { ready: false, channels: 0, pauses: [] })

const response = await fetch(player.peaks, { credentials: 'same-origin' })
const data = await response.json()
const regions = RegionsPlugin.create()
const surfer = WaveSurfer.create({
  container: box,
  splitChannels: data.peaks.map((_, index) => ({ waveColor: colors[index % 2], progressColor: '#555', height: 90 })),
  normalize: true,
  plugins: [regions, TimelinePlugin.create()],
})

// Loads the media element and draws the peaks given, without decoding the file.
surfer.load(player.media, data.peaks, data.duration).then(() => {
  for (const pause of player.pauses) {
    const silence = pause.behavior === 'silence'
    const region = regions.addRegion({
      start: pause.start_s,
      end: silence ? pause.end_s : undefined,
      content: silence ? 'paused (silence)' : `paused (skip, ${pause.paused_s} s cut)`,
      color: silence ? 'rgba(120, 120, 120, 0.35)' : 'rgba(200, 0, 0, 0.8)',
      drag: false,
      resize: false,
    })
    drawn.pauses.push({ behavior: pause.behavior, start: region.start, end: region.end })
  }
  drawn.channels = data.peaks.length
  drawn.duration = surfer.getDuration()
  drawn.ready = true
  box.dataset.ready = 'true'
})

const position = document.getElementById('position')
surfer.on('timeupdate', (seconds) => {
  position.textContent = seconds.toFixed(2)
  drawn.position = seconds
})
surfer.on('play', () => { drawn.played = true })
document.getElementById('play').addEventListener('click', () => surfer.playPause())
for (const button of document.querySelectorAll('.seek')) {
  button.addEventListener('click', () => surfer.setTime(Number(button.dataset.start)))
}
