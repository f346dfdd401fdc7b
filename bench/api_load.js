// The load tool of bench/api.py: HTTP/1.1 keep-alive over loopback, Node.js's own `net`
// module, no packages. Reads a JSON spec from the file named by argv[2]:
//   {host, port, method, path, headers: {..}, bodies: [string, ...] (cycled; [] for none),
//    connections, seconds, rate (requests/s in all; 0 = saturating)}
// and prints one JSON line of results.
//
// rate > 0 is an open-loop, constant-rate load in the manner of wrk2: request i is due at
// start + i / rate, whatever the server is doing; a due request goes out on the first idle
// connection, and its latency counts from when it was due, not from when it could be
// sent, so a server that falls behind shows it in the percentiles instead of slowing the
// sender down (no coordinated omission). autocannon's `overallRate` was not used: it lets
// each connection send its share of a second as fast as it can at the top of each second
// and then pause, a burst every second rather than a constant rate.
// rate = 0 is closed-loop: every connection sends its next request as soon as the answer
// to the last one is in; that shows the top throughput, latency counted from the send.
'use strict'
const fs = require('fs')
const net = require('net')

const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))
const bodies = (spec.bodies && spec.bodies.length) ? spec.bodies : [null]
let bodyIndex = 0
const extraHeaders = Object.entries(spec.headers || {})
  .map(([k, v]) => `${k}: ${v}\r\n`).join('')

function requestBytes () {
  const body = bodies[bodyIndex % bodies.length]
  bodyIndex += 1
  let head = `${spec.method} ${spec.path} HTTP/1.1\r\nHost: ${spec.host}:${spec.port}\r\n` +
    extraHeaders
  if (body === null) return Buffer.from(head + '\r\n')
  const data = Buffer.from(body)
  head += `Content-Length: ${data.length}\r\n\r\n`
  return Buffer.concat([Buffer.from(head), data])
}

const now = () => Number(process.hrtime.bigint()) / 1e6 // ms
const latencies = [] // ms, 2xx answers within the measured window
const statuses = {}
let errors = 0
let sent = 0
let answered = 0
let inWindow = 0 // 2xx answers that came in before the load's end
let stopping = false
const idle = []
const queue = [] // due times (ms) of requests waiting for an idle connection
const started = now()
const endAt = started + spec.seconds * 1000

function connection () {
  const socket = net.connect({ host: spec.host, port: spec.port })
  socket.setNoDelay(true)
  const c = { socket, buffer: Buffer.alloc(0), due: 0, busy: false }
  socket.on('connect', () => { idle.push(c); pump() })
  socket.on('data', (chunk) => {
    c.buffer = c.buffer.length ? Buffer.concat([c.buffer, chunk]) : chunk
    for (;;) {
      const end = c.buffer.indexOf('\r\n\r\n')
      if (end < 0) return
      const head = c.buffer.subarray(0, end).toString('latin1')
      const match = /\r\ncontent-length:\s*(\d+)/i.exec(head)
      if (!match) { fail(c, 'an answer without Content-Length'); return }
      const total = end + 4 + Number(match[1])
      if (c.buffer.length < total) return
      c.buffer = c.buffer.subarray(total)
      const status = head.slice(9, 12)
      statuses[status] = (statuses[status] || 0) + 1
      answered += 1
      const t = now()
      if (status[0] === '2') {
        latencies.push(t - c.due)
        if (t <= endAt) inWindow += 1
      }
      c.busy = false
      idle.push(c)
    }
  })
  socket.on('data', () => pump())
  socket.on('error', (e) => fail(c, String(e)))
  // The server closes a connection idle past its keep-alive timeout: replace it.
  socket.on('close', () => {
    const at = idle.indexOf(c)
    if (at >= 0) idle.splice(at, 1)
    if (stopping) return
    if (c.busy) fail(c, 'the server closed a connection with a request on it')
    c.busy = false
    clients[clients.indexOf(c)] = connection()
  })
  return c
}

function fail (c, why) {
  if (c.failed) return
  c.failed = true
  errors += 1
  if (!stopping) {
    console.error(why)
    process.exitCode = 1
  }
  c.socket.destroy()
}

function send (c, due) {
  c.busy = true
  c.due = due
  sent += 1
  c.socket.write(requestBytes())
}

let scheduled = 0 // requests made due so far (rate > 0)
function pump () {
  if (stopping) return
  const t = now()
  if (spec.rate > 0) {
    const dueNow = Math.min(Math.floor((t - started) * spec.rate / 1000) + 1,
      Math.ceil(spec.seconds * spec.rate))
    for (; scheduled < dueNow; scheduled++) queue.push(started + scheduled * 1000 / spec.rate)
    while (queue.length && idle.length) send(idle.shift(), queue.shift())
  } else {
    while (idle.length && t < endAt) send(idle.shift(), t)
  }
}

const clients = []
for (let i = 0; i < spec.connections; i++) clients.push(connection())
// A 1 ms tick releases the requests falling due; answers release waiting ones at once.
const tick = setInterval(pump, 1)
setTimeout(() => {
  // Stop sending; wait up to 10 s for the answers to the requests already due.
  clearInterval(tick)
  const deadline = now() + 10000
  const wait = setInterval(() => {
    if ((answered + errors >= sent && queue.length === 0) || now() > deadline) {
      clearInterval(wait)
      finish()
    } else if (spec.rate > 0) {
      while (queue.length && idle.length) send(idle.shift(), queue.shift())
    }
  }, 5)
}, spec.seconds * 1000)

function percentile (sorted, p) {
  if (!sorted.length) return null
  return sorted[Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)]
}

function finish () {
  stopping = true
  for (const c of clients) c.socket.destroy()
  latencies.sort((a, b) => a - b)
  const ok = Object.entries(statuses).filter(([s]) => s[0] === '2')
    .reduce((n, [, k]) => n + k, 0)
  console.log(JSON.stringify({
    offered: spec.rate,
    sent,
    answered,
    unanswered: sent - answered - errors + queue.length,
    seconds: spec.seconds,
    rate: inWindow / spec.seconds, // 2xx answers a second while the load ran
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies.length ? latencies[latencies.length - 1] : null,
    statuses,
    non2xx: answered - ok,
    errors,
    bodies_used: bodyIndex
  }))
  process.exit(process.exitCode || 0)
}
