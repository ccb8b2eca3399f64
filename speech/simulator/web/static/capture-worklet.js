"use strict";
// Runs on the audio thread: hands the page the microphone's samples, mixed to mono, in chunks.
class PcmCapture extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.chunk = (options.processorOptions || {}).chunk || 1024;
    this.buffer = new Float32Array(this.chunk);
    this.filled = 0;
    this.running = true;
    this.port.onmessage = (event) => {
      if (event.data === "stop") { this.flush(); this.running = false; }
    };
  }
  flush() {
    if (this.filled) { this.port.postMessage(this.buffer.slice(0, this.filled)); this.filled = 0; }
  }
  process(inputs) {
    if (!this.running) return false;
    const input = inputs[0];
    if (input && input.length) {
      for (let i = 0; i < input[0].length; i++) {
        let sum = 0;
        for (let c = 0; c < input.length; c++) sum += input[c][i];
        this.buffer[this.filled++] = sum / input.length;
        if (this.filled === this.chunk) {
          this.port.postMessage(this.buffer);
          this.buffer = new Float32Array(this.chunk);
          this.filled = 0;
        }
      }
    }
    return true;
  }
}
registerProcessor("pcm-capture", PcmCapture);
