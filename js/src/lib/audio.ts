/**
 * Recording a sound for the Playground: the browser's MediaRecorder (webm or ogg), decoded by the
 * browser and encoded as 16-bit PCM WAV, which the kernel reads (soundfile cannot read webm).
 */
import { element } from "./dom";

/** 16-bit PCM mono WAV bytes of `samples` (floats in [-1, 1]) at `rate` Hz. */
export function encodeWav(samples: Float32Array, rate: number): ArrayBuffer {
  const buffer = new ArrayBuffer(44 + samples.length * 2);
  const view = new DataView(buffer);
  const ascii = (offset: number, text: string): void => {
    for (let i = 0; i < text.length; i++) view.setUint8(offset + i, text.charCodeAt(i));
  };
  ascii(0, "RIFF");
  view.setUint32(4, 36 + samples.length * 2, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, "data");
  view.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i] ?? 0));
    view.setInt16(44 + i * 2, s < 0 ? s * 0x8000 : s * 0x7fff, true);
  }
  return buffer;
}

/** A recording decoded by the browser and encoded as mono WAV. */
async function toWav(blob: Blob): Promise<Blob> {
  const context = new AudioContext();
  try {
    const audio = await context.decodeAudioData(await blob.arrayBuffer());
    const mono = new Float32Array(audio.length);
    for (let c = 0; c < audio.numberOfChannels; c++) {
      const data = audio.getChannelData(c);
      for (let i = 0; i < data.length; i++)
        mono[i] = (mono[i] ?? 0) + (data[i] ?? 0) / audio.numberOfChannels;
    }
    return new Blob([encodeWav(mono, audio.sampleRate)], { type: "audio/wav" });
  } finally {
    void context.close();
  }
}

/** A Record / Stop recording button: `done` gets the WAV, `say` what went wrong. */
export function recorderButton(
  done: (wav: Blob) => void,
  say: (text: string) => void,
): HTMLButtonElement {
  const button = element("button", "hw-button hw-record");
  button.type = "button";
  button.textContent = "Record";
  button.setAttribute("aria-pressed", "false");
  let recording: MediaRecorder | null = null;
  button.addEventListener("click", () => {
    if (recording) {
      recording.stop();
      return;
    }
    if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === "undefined") {
      say("This browser cannot record here (it needs a secure page and a microphone)");
      return;
    }
    void navigator.mediaDevices.getUserMedia({ audio: true }).then(
      (media) => {
        const chunks: Blob[] = [];
        const rec = new MediaRecorder(media);
        recording = rec;
        rec.addEventListener("dataavailable", (event) => chunks.push(event.data));
        rec.addEventListener("stop", () => {
          recording = null;
          button.textContent = "Record";
          button.setAttribute("aria-pressed", "false");
          for (const track of media.getTracks()) track.stop();
          void toWav(new Blob(chunks, { type: rec.mimeType })).then(done, () =>
            say("The recording could not be decoded"),
          );
        });
        rec.start();
        button.textContent = "Stop recording";
        button.setAttribute("aria-pressed", "true");
      },
      (err: unknown) => say(`No microphone: ${String(err)}`),
    );
  });
  return button;
}
