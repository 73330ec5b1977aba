// The coaching hub protocol (docs/PROTOCOL.md) over the official SignalR client: turns keyed by turn_id,
// reply pieces placed by sequence, and after a reconnect ResumeSession from the last message the page has.

/** The stable code of a hub refusal ("... HubException: rate_limited: ..."), or "unknown". */
export const errorCode = error => /HubException: ([a-z_]+):/.exec(error?.message ?? "")?.[1] ?? "unknown";

/** The readable part of a hub refusal. */
export const errorText = error => /HubException: [a-z_]+: (.*)$/s.exec(error?.message ?? "")?.[1] ?? "Something went wrong; try again.";

export class Conversation {
  /**
   * @param view what the page shows: addUserMessage, replyText, completeReply, failReply, retractReply,
   *   replyInterrupted, emotions, action, profile, streaming, connection.
   * @param tokenFactory asked on every (re)connect.
   */
  constructor(view, tokenFactory) {
    this.view = view;
    this.tokenFactory = tokenFactory;
    this.session = null;
    this.turns = new Map();
    this.lastSequence = 0;
    this.streamingTurnId = null;
    this.interrupting = Promise.resolve();
    this.connection = null;
  }

  async connect() {
    const signalR = globalThis.signalR;
    this.connection = new signalR.HubConnectionBuilder()
      .withUrl("/hubs/coach", {
        accessTokenFactory: this.tokenFactory,
        transport: signalR.HttpTransportType.WebSockets,
        skipNegotiation: true,
      })
      // Keep trying for as long as the page is open: every 0.5 s at first, then at most every 5 s.
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: ctx => Math.min(500 * 2 ** ctx.previousRetryCount, 5000) })
      .configureLogging(signalR.LogLevel.None)
      .build();
    const on = (name, handler) => this.connection.on(name, payload => {
      if (this.session && payload.session_id === this.session.session_id) handler(payload);
    });
    on("ReplyChunk", chunk => this.addChunk(chunk));
    on("TurnCompleted", done => this.complete(done));
    on("TurnFailed", failed => this.fail(failed));
    on("ReplyRetracted", retracted => this.retract(retracted));
    on("EmotionalSnapshot", e => this.view.emotions(e.turn_id, e.message_sequence, e.emotions));
    on("OnboardingCompleted", profile => this.view.profile(profile));
    on("CoachAction", a => this.view.action(a.turn_id, a.action));
    this.connection.onreconnecting(() => this.view.connection("offline"));
    this.connection.onreconnected(() => {
      this.view.connection("online");
      this.resume().catch(error => this.view.error(errorText(error)));
    });
    this.connection.onclose(() => this.view.connection("closed"));
    await this.connection.start();
    this.view.connection("online");
  }

  async disconnect() {
    await this.connection?.stop();
    this.connection = null;
  }

  get connected() {
    return this.connection?.state === globalThis.signalR.HubConnectionState.Connected;
  }

  async start(sessionType, persona) {
    this.session = await this.connection.invoke("StartSession", { session_type: sessionType, persona: persona || null });
    this.turns.clear();
    this.lastSequence = 0;
    this.streamingTurnId = null;
    return this.session;
  }

  turn(turnId, text = "") {
    let turn = this.turns.get(turnId);
    if (!turn) {
      turn = { id: turnId, text, chunks: [], userSequence: null, replySequence: null, done: false };
      this.turns.set(turnId, turn);
    }
    return turn;
  }

  replyOf(turn) {
    return turn.chunks.map(part => part ?? "").join("");
  }

  seen(sequence) {
    if (sequence > this.lastSequence) this.lastSequence = sequence;
  }

  /** Sends what the user said as a new turn; waits for a barge-in still being stored first. */
  async say(text) {
    await this.interrupting;
    const turn = this.turn(crypto.randomUUID(), text);
    this.view.addUserMessage(turn);
    await this.send(turn);
  }

  async send(turn) {
    this.streamingTurnId = turn.id;
    this.view.streaming(true);
    try {
      const accepted = await this.connection.invoke("SendTurn", this.session.session_id, turn.id, turn.text);
      turn.userSequence = accepted.user_sequence;
      this.seen(accepted.user_sequence);
      if (accepted.state === "completed") this.complete(accepted.reply);
      else accepted.chunks_so_far.forEach(chunk => this.addChunk(chunk));
    } catch (error) {
      // A dropped connection: the turn is sent again unchanged once it is back (see resume).
      if (!this.connected) return;
      this.streamingTurnId = null;
      this.view.streaming(false);
      this.view.failReply(turn, errorText(error), errorCode(error));
    }
  }

  addChunk(chunk) {
    const turn = this.turn(chunk.turn_id);
    if (turn.done) return;
    turn.chunks[chunk.sequence - 1] = chunk.text; // a piece may arrive twice around a join: same place
    this.view.replyText(turn, this.replyOf(turn), chunk.sentence_end);
  }

  complete(done) {
    const turn = this.turn(done.turn_id);
    turn.done = true;
    turn.replySequence = done.sequence;
    this.seen(done.sequence);
    this.view.completeReply(turn, done.content, done.interrupted, done.kind);
    if (this.streamingTurnId === turn.id) {
      this.streamingTurnId = null;
      this.view.streaming(false);
    }
  }

  fail(failed) {
    const turn = this.turn(failed.turn_id);
    turn.chunks = [];
    if (this.streamingTurnId === turn.id) this.streamingTurnId = null;
    this.view.streaming(false);
    this.view.failReply(turn, failed.reason, "turn_failed");
  }

  retract(retracted) {
    const turn = this.turn(retracted.turn_id);
    turn.chunks = [];
    this.view.retractReply(turn);
  }

  /** Stop, or a barge-in: keeps only what the user saw or heard (characters of the reply). */
  async interrupt(characters) {
    const turnId = this.streamingTurnId ?? this.lastRepliedTurn()?.id;
    if (!turnId) return null;
    const turn = this.turn(turnId);
    const shown = characters ?? this.replyOf(turn).length;
    this.streamingTurnId = null; // one interrupt per reply, however many times the user keeps talking
    const call = this.connection.invoke("Interrupt", this.session.session_id, turnId, { characters: shown });
    this.interrupting = call.catch(() => null);
    const result = await call;
    this.view.streaming(false);
    turn.done = true;
    if (result.sequence !== null) this.seen(result.sequence);
    this.view.replyInterrupted(turn, result.heard_content, result.sequence !== null);
    return result;
  }

  lastRepliedTurn() {
    return [...this.turns.values()].reverse().find(t => t.replySequence !== null) ?? null;
  }

  /** After a reconnect: the messages the page missed, then the reply being generated, if any. */
  async resume() {
    if (!this.session) return;
    const resumed = await this.connection.invoke("ResumeSession", this.session.session_id, this.lastSequence);
    for (const message of resumed.messages) {
      this.seen(message.sequence);
      const turn = this.turn(message.turn_id ?? `message-${message.sequence}`, message.content);
      if (message.role === "user") {
        if (turn.userSequence === null) {
          turn.userSequence = message.sequence;
          this.view.addUserMessage(turn);
        }
      } else if (!turn.done) {
        this.complete({ turn_id: turn.id, sequence: message.sequence, content: message.content, interrupted: message.interrupted, kind: message.kind });
        message.actions.forEach(action => this.view.action(turn.id, action));
      }
    }
    if (resumed.streaming_turn_id) {
      const turn = this.turn(resumed.streaming_turn_id);
      turn.chunks = [];                // sequences restart from what chunks_so_far holds
      await this.send(turn);
      return;
    }
    // A turn whose SendTurn never answered, or whose reply is neither stored nor being made: send it
    // again, unchanged (the service stores no second message and makes the missing reply).
    const pending = [...this.turns.values()].find(t => !t.done && (t.userSequence === null || t.id === this.streamingTurnId));
    if (pending) await this.send(pending);
  }

  partial(text) {
    if (this.session && this.connected) this.connection.send("SendPartialTranscript", this.session.session_id, text).catch(() => {});
  }

  end() {
    return this.connection.invoke("EndSession", this.session.session_id);
  }

  acceptGoal(index) {
    return this.connection.invoke("AcceptSuggestedGoal", this.session.session_id, index);
  }
}
