// Voice mode on the Web Speech API: recognition for the user's turns (interim results become partial
// transcripts), synthesis of the reply sentence by sentence, and barge-in with how much was spoken.

const Recognition = globalThis.SpeechRecognition ?? globalThis.webkitSpeechRecognition;

export const voiceSupported = () => Boolean(Recognition) && "speechSynthesis" in globalThis;

export class VoiceMode {
  /**
   * @param hooks onPartial(text), onFinal(text), onSpeechStart() (the user began talking), onStatus(text).
   */
  constructor(lang, hooks) {
    this.lang = lang;
    this.hooks = hooks;
    this.on = false;
    this.recognition = null;
    this.silenced = new Set(); // replies talked over: none of their later pieces is spoken
    this.resetSpeech(null);
  }

  resetSpeech(turnId) {
    this.turnId = turnId;
    this.queuedUpTo = 0;   // characters of the reply handed to the synthesiser
    this.heard = 0;        // characters of the reply actually spoken
    this.pending = 0;      // utterances queued or speaking
  }

  start() {
    this.on = true;
    const recognition = new Recognition();
    recognition.lang = this.lang;
    recognition.continuous = true;
    recognition.interimResults = true;
    recognition.onresult = event => this.heardResult(event);
    recognition.onerror = event => this.hooks.onStatus(`Speech recognition: ${event.error}`);
    // Recognition stops after a silence; listen again for as long as voice mode is on.
    recognition.onend = () => { if (this.on) recognition.start(); };
    this.recognition = recognition;
    recognition.start();
    this.hooks.onStatus("Listening…");
  }

  stop() {
    this.on = false;
    this.recognition?.stop();
    this.recognition = null;
    this.silence();
    this.hooks.onStatus("");
  }

  heardResult(event) {
    let interim = "";
    let final = "";
    for (let i = event.resultIndex; i < event.results.length; i++) {
      const result = event.results[i];
      if (result.isFinal) final += result[0].transcript;
      else interim += result[0].transcript;
    }
    if ((interim + final).trim()) this.hooks.onSpeechStart();
    if (final.trim()) this.hooks.onFinal(final.trim());
    else if (interim.trim()) this.hooks.onPartial(interim.trim());
  }

  get speaking() {
    return this.pending > 0;
  }

  /** Hands the complete sentences of the reply so far to the synthesiser. */
  speak(turnId, reply) {
    if (!this.on || this.silenced.has(turnId)) return;
    if (turnId !== this.turnId) this.resetSpeech(turnId);
    const start = this.queuedUpTo;
    const end = reply.length;
    const sentence = reply.slice(start, end);
    if (!sentence.trim()) return;
    this.queuedUpTo = end;
    const utterance = new SpeechSynthesisUtterance(sentence);
    utterance.lang = this.lang;
    utterance.onboundary = e => { if (this.turnId === turnId) this.heard = Math.max(this.heard, start + e.charIndex); };
    utterance.onend = () => {
      if (this.turnId !== turnId) return;
      this.heard = Math.max(this.heard, end);
      this.pending = Math.max(0, this.pending - 1);
    };
    this.pending++;
    speechSynthesis.speak(utterance);
  }

  /** Stops speaking; answers how many characters of the reply were spoken, then forgets the reply. */
  silence() {
    const heard = this.heard;
    if (this.turnId) this.silenced.add(this.turnId);
    this.turnId = null;
    this.pending = 0;
    speechSynthesis.cancel();
    return heard;
  }
}
