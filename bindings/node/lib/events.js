'use strict';
// The listener half of openai-node's stream helper and tool runners (`on`, `off`, `once`,
// `emitted`), one base class for `ChatCompletionStream` and the runners. The rule the peer's
// EventStream has is here too: an error that no listener hears and no promise awaits is an
// unhandled rejection.

class EventListeners {
  #listeners = Object.create(null);
  /** Someone awaits the run (`done()`, a final-value method, iteration, `emitted`). */
  #catching = false;

  /** @internal A listener is registered for `event`. */
  _listening(event) {
    const listeners = this.#listeners[event];
    return listeners !== undefined && listeners.length > 0;
  }

  /** @internal The run's error will be seen by whoever awaits it. */
  _catching() {
    this.#catching = true;
  }

  /** @internal Before `error` is emitted for an `event` (`error` or `abort`): unhandled if nobody hears it. */
  _reportUnheard(event, error) {
    if (!this.#catching && !this._listening(event)) Promise.reject(error);
  }

  /** @internal */
  _emit(event, ...args) {
    const listeners = this.#listeners[event];
    if (listeners === undefined || listeners.length === 0) return;
    this.#listeners[event] = listeners.filter((l) => !l.once);
    for (const { listener } of listeners) listener.apply(this, args);
  }

  on(event, listener) {
    (this.#listeners[event] ??= []).push({ listener });
    return this;
  }
  off(event, listener) {
    const listeners = this.#listeners[event];
    if (listeners) {
      const i = listeners.findIndex((l) => l.listener === listener);
      if (i >= 0) listeners.splice(i, 1);
    }
    return this;
  }
  once(event, listener) {
    (this.#listeners[event] ??= []).push({ listener, once: true });
    return this;
  }
  /** A promise for the arguments of the next `event` (the first one when there are several). */
  emitted(event) {
    return new Promise((resolve, reject) => {
      this._catching();
      if (event !== 'error') this.once('error', reject);
      this.once(event, (...args) => resolve(args.length > 1 ? args : args[0]));
    });
  }
}

module.exports = { EventListeners };
