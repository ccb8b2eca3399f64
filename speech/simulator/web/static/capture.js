"use strict";
// The microphone to a 16 kHz mono 16-bit WAV, which is what the recogniser takes.
// Recording stops when the speaker pauses after speaking, when stop() is called, or at a limit.
window.Capture = (() => {
  const RATE = 16000;
  const SPEECH_RMS = 0.01;   // a chunk this loud counts as speech (about -40 dBFS)
  const PAUSE_MS = 700;      // this much quiet after speech ends the recording
  const NO_SPEECH_MS = 6000; // nothing said by then: give up
  const MAX_MS = 15000;

  function start() {
    let stopRequested = false;
    let finish = () => { stopRequested = true; };
    const done = (async () => {
      // The graph comes first: the microphone starts delivering the moment it opens.
      const context = new AudioContext();
      try {
        await context.audioWorklet.addModule("/static/capture-worklet.js");
        const stream = await navigator.mediaDevices.getUserMedia({
          audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false,
                   autoGainControl: false },
        });
        try {
          return await record(context, stream, (stop) => {
            finish = stop;
            if (stopRequested) stop("stopped");
          });
        } finally {
          stream.getTracks().forEach((track) => track.stop());
        }
      } finally {
        await context.close();
      }
    })();
    return { done, stop: () => finish("stopped") };
  }

  async function record(context, stream, onStoppable) {
    const source = context.createMediaStreamSource(stream);
    const node = new AudioWorkletNode(context, "pcm-capture", {
      channelCount: 1, channelCountMode: "explicit", processorOptions: { chunk: 1024 },
    });
    source.connect(node);
    node.connect(context.destination); // keeps the node running; it outputs silence
    if (context.state !== "running") await context.resume();
    const rate = context.sampleRate;
    const parts = [];
    let total = 0, heard = false, quiet = 0;
    const reason = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve("limit"), MAX_MS);
      const stop = (why) => { clearTimeout(timer); resolve(why); };
      onStoppable(stop);
      node.port.onmessage = (event) => {
        const chunk = event.data;
        parts.push(chunk);
        total += chunk.length;
        let sum = 0;
        for (let i = 0; i < chunk.length; i++) sum += chunk[i] * chunk[i];
        if (Math.sqrt(sum / chunk.length) >= SPEECH_RMS) { heard = true; quiet = 0; }
        else if (heard) quiet += chunk.length;
        if (heard && (quiet / rate) * 1000 >= PAUSE_MS) stop("pause");
        else if (!heard && (total / rate) * 1000 >= NO_SPEECH_MS) stop("no speech");
      };
    });
    node.port.postMessage("stop");
    source.disconnect();
    node.disconnect();
    const samples = new Float32Array(total);
    let offset = 0;
    for (const part of parts) { samples.set(part, offset); offset += part.length; }
    const wav = encodeWav(await resample(samples, rate), RATE);
    return { wav, reason, heard, seconds: total / rate };
  }

  // Chromium's own resampler, which filters before it decimates.
  async function resample(samples, from) {
    if (from === RATE || samples.length === 0) return samples;
    const offline = new OfflineAudioContext(1, Math.ceil((samples.length * RATE) / from), RATE);
    const buffer = offline.createBuffer(1, samples.length, from);
    buffer.copyToChannel(samples, 0);
    const player = offline.createBufferSource();
    player.buffer = buffer;
    player.connect(offline.destination);
    player.start();
    return (await offline.startRendering()).getChannelData(0);
  }

  function encodeWav(samples, rate) {
    const view = new DataView(new ArrayBuffer(44 + samples.length * 2));
    const text = (at, s) => { for (let i = 0; i < s.length; i++) view.setUint8(at + i, s.charCodeAt(i)); };
    text(0, "RIFF"); view.setUint32(4, 36 + samples.length * 2, true); text(8, "WAVE");
    text(12, "fmt "); view.setUint32(16, 16, true); view.setUint16(20, 1, true);
    view.setUint16(22, 1, true); view.setUint32(24, rate, true); view.setUint32(28, rate * 2, true);
    view.setUint16(32, 2, true); view.setUint16(34, 16, true);
    text(36, "data"); view.setUint32(40, samples.length * 2, true);
    for (let i = 0, at = 44; i < samples.length; i++, at += 2) {
      const s = Math.max(-1, Math.min(1, samples[i]));
      view.setInt16(at, s < 0 ? s * 0x8000 : s * 0x7fff, true);
    }
    return new Blob([view.buffer], { type: "audio/wav" });
  }

  return { start };
})();
