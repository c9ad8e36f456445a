/* Live chat over ws(s)://<host>/ws/conversations/<id>/ (the session cookie signs it in).

   One socket per conversation carries the chat and, on a consult page, the call's signalling
   (consult.js subscribes through onSignal / onHello / onPresence / onEnded).

   Nothing is lost when the connection drops: every message has a server sequence number
   (seq); the page reconnects with growing pauses (1 s doubling to 30 s) and asks for
   everything after the last seq it holds (?after=N); messages typed while offline wait in an
   outbox, each with a client_id, and are sent again after the reconnect (the server stores a
   resent client_id once). Message text is only ever set with textContent: it never becomes
   markup.

   <section data-chat data-conversation="<uuid>" data-me="<user id>"> marks the panel
   (web/partials/chat_panel.html); pages with data-chat-autostart start it themselves. */
(function () {
  "use strict";

  var KEEPALIVE_MS = 25000;
  var FIRST_RETRY_MS = 1000;
  var MAX_RETRY_MS = 30000;
  var TYPING_SEND_EVERY_MS = 3000;
  var TYPING_SHOWN_MS = 4000;
  var MAX_BODY = 4000;

  // Closes that reconnecting cannot fix: their explanation, shown in the panel.
  var FINAL_CLOSES = {
    4401: "Your session has ended. Sign in again to continue.",
    4403: "You are not a participant of this conversation.",
    4404: "This conversation does not exist.",
    4409: "The consult room is not open yet.",
    4410: "This consult has ended; the chat is closed.",
  };
  var FLOOD_CLOSE = 4429;

  function uuid4() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(bytes, function (b) {
        return (b + 0x100).toString(16).slice(1);
      })
      .join("");
    return (
      hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" +
      hex.slice(16, 20) + "-" + hex.slice(20)
    );
  }

  function csrfToken() {
    try {
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      if (headers["X-CSRFToken"]) return headers["X-CSRFToken"];
    } catch (error) {
      /* fall through to the cookie */
    }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // POST to the API with the session (and its CSRF token); resolves to {ok, status, data}.
  function apiPost(url, body) {
    var options = {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    };
    if (body instanceof FormData) {
      options.body = body;
    } else if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return window.fetch(url, options).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (data) {
          return { ok: response.ok, status: response.status, data: data };
        });
    });
  }

  function errorText(result, fallback) {
    return (result && result.data && (result.data.message || result.data.detail)) || fallback;
  }

  function formatSize(bytes) {
    if (bytes >= 1048576) return (bytes / 1048576).toFixed(1) + " MB";
    if (bytes >= 1024) return Math.round(bytes / 1024) + " KB";
    return bytes + " B";
  }

  function formatTime(iso) {
    var when = new Date(iso);
    if (isNaN(when.getTime())) return "";
    var today = new Date();
    var time = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    if (when.toDateString() === today.toDateString()) return time;
    return when.toLocaleDateString([], { day: "numeric", month: "short" }) + " " + time;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function Chat(root, options) {
    this.root = root;
    this.options = options || {};
    this.conversation = this.options.conversation || root.dataset.conversation;
    this.me = String(this.options.me || root.dataset.me || "");
    this.log = root.querySelector("[data-chat-log]");
    this.status = root.querySelector("[data-chat-status]");
    this.typingLine = root.querySelector("[data-chat-typing]");
    this.form = root.querySelector("[data-chat-form]");
    this.input = root.querySelector("[data-chat-input]");
    this.fileInput = root.querySelector("[data-chat-file]");
    this.sendButton = root.querySelector("[data-chat-send]");
    this.lastSeq = 0;
    this.readByOthers = {}; // user id -> last seq they read
    this.names = {}; // user id -> name
    this.outbox = []; // {client_id, body} not yet confirmed by the server
    this.socket = null;
    this.retryMs = FIRST_RETRY_MS;
    this.retryTimer = null;
    this.keepalive = null;
    this.lastTypingSent = 0;
    this.typingTimers = {};
    this.finished = false;
    this.lastReadSent = 0;
    this.connectedOnce = false;
    this.bind();
  }

  Chat.prototype.setStatus = function (text, tone) {
    if (!this.status) return;
    this.status.textContent = text || "";
    this.status.className = "hms-chat-status small" + (tone ? " text-" + tone : "");
    this.status.hidden = !text;
  };

  Chat.prototype.bind = function () {
    var chat = this;
    if (this.form) {
      this.form.addEventListener("submit", function (event) {
        event.preventDefault();
        chat.sendText();
      });
    }
    if (this.input) {
      this.input.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          chat.sendText();
        }
      });
      this.input.addEventListener("input", function () {
        chat.sendTyping();
      });
    }
    if (this.fileInput) {
      this.fileInput.addEventListener("change", function () {
        var file = chat.fileInput.files && chat.fileInput.files[0];
        if (file) chat.upload(file);
        chat.fileInput.value = "";
      });
    }
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") chat.markRead();
    });
    window.addEventListener("online", function () {
      if (!chat.socket && !chat.finished) chat.reconnectNow();
    });
  };

  Chat.prototype.start = function () {
    if (!this.conversation) return this;
    this.connect();
    return this;
  };

  Chat.prototype.url = function () {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var path = "/ws/conversations/" + encodeURIComponent(this.conversation) + "/";
    return scheme + window.location.host + path + (this.lastSeq ? "?after=" + this.lastSeq : "");
  };

  Chat.prototype.connect = function () {
    var chat = this;
    this.retryTimer = null;
    this.root.dataset.chatState = "connecting";
    var socket = new WebSocket(this.url());
    this.socket = socket;
    socket.addEventListener("open", function () {
      chat.keepalive = window.setInterval(function () {
        chat.send({ action: "ping" });
      }, KEEPALIVE_MS);
    });
    socket.addEventListener("message", function (event) {
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      chat.handle(frame);
    });
    socket.addEventListener("close", function (event) {
      window.clearInterval(chat.keepalive);
      if (chat.socket === socket) chat.socket = null;
      chat.root.dataset.chatState = "closed";
      chat.closed(event.code);
    });
  };

  Chat.prototype.closed = function (code) {
    if (this.finished) return;
    if (FINAL_CLOSES[code]) {
      this.finish(FINAL_CLOSES[code]);
      if (this.options.onClosed) this.options.onClosed(code);
      return;
    }
    if (code === FLOOD_CLOSE) {
      this.retryMs = MAX_RETRY_MS;
      this.setStatus("Too many messages too fast: the chat pauses for a moment.", "danger");
    } else {
      this.setStatus("Connection lost. Reconnecting…", "warning");
    }
    var delay = this.retryMs + Math.floor(Math.random() * 250);
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    var chat = this;
    this.retryTimer = window.setTimeout(function () {
      chat.connect();
    }, delay);
  };

  Chat.prototype.reconnectNow = function () {
    if (this.retryTimer) window.clearTimeout(this.retryTimer);
    this.connect();
  };

  // The chat cannot go on (consult ended, not allowed...): say why and stop reconnecting.
  Chat.prototype.finish = function (text) {
    this.finished = true;
    if (this.retryTimer) window.clearTimeout(this.retryTimer);
    this.setStatus(text, "secondary");
    this.root.dataset.chatState = "finished";
    if (this.input) this.input.disabled = true;
    if (this.sendButton) this.sendButton.disabled = true;
    if (this.fileInput) this.fileInput.disabled = true;
    if (this.socket) this.socket.close(1000);
  };

  Chat.prototype.send = function (frame) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  };

  Chat.prototype.handle = function (frame) {
    switch (frame.event) {
      case "hello":
        this.hello(frame);
        break;
      case "message":
        this.receive(frame.message);
        break;
      case "caught_up":
        this.caughtUp(frame);
        break;
      case "read":
        this.readReceipt(String(frame.user), frame.seq);
        break;
      case "typing":
        this.typing(frame.user);
        break;
      case "presence":
        this.presence(frame.user, frame.state);
        break;
      case "signal":
        if (this.options.onSignal) this.options.onSignal(frame);
        break;
      case "consult_ended":
        if (this.options.onEnded) this.options.onEnded();
        this.finish("The consult has ended. The conversation stays in your messages.");
        break;
      case "error":
        this.serverError(frame);
        break;
      default:
        break; // pong and anything newer
    }
  };

  Chat.prototype.hello = function (frame) {
    var chat = this;
    this.retryMs = FIRST_RETRY_MS;
    this.root.dataset.chatState = "open";
    if (frame.me !== undefined && frame.me !== null) this.me = String(frame.me);
    (frame.participants || []).forEach(function (person) {
      chat.names[String(person.id)] = person.name;
    });
    var read = frame.read || {};
    Object.keys(read).forEach(function (user) {
      if (user !== chat.me) chat.readByOthers[user] = Math.max(chat.readByOthers[user] || 0, read[user]);
    });
    this.setOnline(frame.online || []);
    this.setStatus(this.connectedOnce ? "Reconnected." : "", "success");
    if (this.connectedOnce) {
      window.setTimeout(function () {
        if (chat.root.dataset.chatState === "open" && chat.status && chat.status.textContent === "Reconnected.") {
          chat.setStatus("");
        }
      }, 2000);
    }
    this.connectedOnce = true;
    if (this.options.onHello) this.options.onHello(frame);
  };

  Chat.prototype.caughtUp = function (frame) {
    if (typeof frame.last_seq === "number") this.lastSeq = Math.max(this.lastSeq, frame.last_seq);
    this.root.dataset.lastSeq = String(this.lastSeq);
    this.refreshReceipts();
    this.markRead();
    // What was typed while offline goes now (a message the server already has is not stored
    // twice: it knows the client_id).
    var chat = this;
    this.outbox.forEach(function (item) {
      chat.send({ action: "send", client_id: item.client_id, body: item.body });
    });
    var empty = this.log && !this.log.querySelector("[data-seq], [data-client-id]");
    if (this.log) this.log.classList.toggle("hms-chat-log-empty", !!empty);
  };

  Chat.prototype.setOnline = function (ids) {
    var chat = this;
    var online = {};
    ids.forEach(function (id) {
      online[String(id)] = true;
    });
    this.root.querySelectorAll("[data-participant]").forEach(function (node) {
      var on = !!online[node.dataset.participant];
      node.classList.toggle("hms-online", on);
      node.dataset.online = on ? "true" : "false";
    });
    this.online = online;
    if (chat.options.onOnline) chat.options.onOnline(ids.map(String));
  };

  Chat.prototype.presence = function (user, state) {
    if (!user) return;
    var id = String(user.id);
    this.names[id] = user.name;
    if (!this.online) this.online = {};
    if (state === "joined") this.online[id] = true;
    else delete this.online[id];
    this.root.querySelectorAll('[data-participant="' + CSS.escape(id) + '"]').forEach(function (node) {
      node.classList.toggle("hms-online", state === "joined");
      node.dataset.online = state === "joined" ? "true" : "false";
    });
    if (this.options.onPresence) this.options.onPresence(user, state);
  };

  Chat.prototype.typing = function (user) {
    if (!user || String(user.id) === this.me || !this.typingLine) return;
    var id = String(user.id);
    var line = this.typingLine;
    var names = this.typingNames || (this.typingNames = {});
    names[id] = user.name;
    window.clearTimeout(this.typingTimers[id]);
    var render = function () {
      var who = Object.keys(names).map(function (key) {
        return names[key];
      });
      line.textContent = who.length ? who.join(", ") + (who.length > 1 ? " are" : " is") + " typing…" : "";
    };
    this.typingTimers[id] = window.setTimeout(function () {
      delete names[id];
      render();
    }, TYPING_SHOWN_MS);
    render();
  };

  Chat.prototype.sendTyping = function () {
    var now = Date.now();
    if (now - this.lastTypingSent < TYPING_SEND_EVERY_MS) return;
    if (this.send({ action: "typing" })) this.lastTypingSent = now;
  };

  Chat.prototype.serverError = function (frame) {
    var text = frame.detail || "The message was not accepted.";
    if (frame.code === "rate_limited") {
      text = "You are sending messages too fast. Wait a moment, then send again.";
      this.failPending(text);
    } else if (frame.code === "too_long" || frame.code === "invalid") {
      this.failPending(text);
    }
    this.setStatus(text, "danger");
  };

  // The server refused what is waiting: keep it on screen with a way to send it again.
  Chat.prototype.failPending = function (text) {
    var chat = this;
    var waiting = this.outbox.splice(0);
    waiting.forEach(function (item) {
      var node = chat.log && chat.log.querySelector('[data-client-id="' + CSS.escape(item.client_id) + '"]');
      if (!node) return;
      node.classList.add("hms-chat-failed");
      var state = node.querySelector("[data-receipt]");
      if (state) state.textContent = "Not sent";
      if (node.querySelector("[data-retry]")) return;
      var retry = el("button", "btn btn-link btn-sm p-0 ms-2", "Send again");
      retry.type = "button";
      retry.dataset.retry = "1";
      retry.title = text;
      retry.addEventListener("click", function () {
        node.classList.remove("hms-chat-failed");
        retry.remove();
        if (state) state.textContent = "Sending…";
        chat.outbox.push(item);
        chat.send({ action: "send", client_id: item.client_id, body: item.body });
      });
      node.querySelector(".hms-chat-meta").appendChild(retry);
    });
  };

  Chat.prototype.sendText = function () {
    if (!this.input || this.finished) return;
    var body = this.input.value.replace(/\s+$/, "");
    if (!body.trim()) return;
    if (body.length > MAX_BODY) {
      this.setStatus("A message can be at most " + MAX_BODY + " characters.", "danger");
      return;
    }
    var item = { client_id: uuid4(), body: body };
    this.outbox.push(item);
    this.input.value = "";
    this.renderPending(item);
    if (!this.send({ action: "send", client_id: item.client_id, body: body })) {
      this.setStatus("Offline: the message is sent when the connection is back.", "warning");
    }
  };

  Chat.prototype.upload = function (file) {
    var chat = this;
    var data = new FormData();
    var clientId = uuid4();
    data.append("file", file);
    data.append("client_id", clientId);
    this.setStatus("Uploading " + file.name + "…", "secondary");
    apiPost("/api/conversations/" + encodeURIComponent(this.conversation) + "/attachments/", data)
      .then(function (result) {
        if (!result.ok) {
          chat.setStatus(errorText(result, "The file could not be uploaded."), "danger");
          return;
        }
        chat.setStatus("");
        // The socket brings the message too; showing it now spares waiting for it.
        var message = result.data && (result.data.message || result.data);
        if (message && typeof message.seq === "number") chat.receive(message);
      })
      .catch(function () {
        chat.setStatus("The file could not be uploaded: no connection.", "danger");
      });
  };

  Chat.prototype.renderPending = function (item) {
    if (!this.log) return;
    var node = this.buildMessage({
      id: null,
      seq: null,
      sender: { id: this.me, name: "You" },
      body: item.body,
      attachment: null,
      created_at: new Date().toISOString(),
      client_id: item.client_id,
    });
    node.classList.add("hms-chat-pending");
    node.querySelector("[data-receipt]").textContent = "Sending…";
    this.log.appendChild(node);
    this.log.classList.remove("hms-chat-log-empty");
    this.scrollDown(true);
  };

  Chat.prototype.buildMessage = function (message) {
    var mine = String(message.sender && message.sender.id) === this.me;
    var item = el("li", "hms-chat-msg" + (mine ? " hms-chat-mine" : ""));
    item.dataset.testid = "chat-message";
    if (message.seq !== null && message.seq !== undefined) item.dataset.seq = String(message.seq);
    if (message.client_id) item.dataset.clientId = message.client_id;
    var bubble = el("div", "hms-chat-bubble");
    var meta = el("div", "hms-chat-meta small");
    var sender = el("span", "fw-semibold", mine ? "You" : (message.sender && message.sender.name) || "");
    var when = el("time", "ms-2 text-body-secondary", formatTime(message.created_at));
    when.dateTime = message.created_at || "";
    meta.appendChild(sender);
    meta.appendChild(when);
    if (mine) {
      var receipt = el("span", "ms-2 text-body-secondary hms-chat-receipt", "Sent");
      receipt.dataset.receipt = "1";
      meta.appendChild(receipt);
    }
    bubble.appendChild(meta);
    if (message.body) {
      var body = el("div", "hms-chat-body", message.body);
      body.dataset.testid = "chat-body";
      bubble.appendChild(body);
    }
    if (message.attachment) {
      var file = message.attachment;
      var link = el("a", "hms-chat-attachment d-inline-flex align-items-center gap-1");
      link.href = file.url;
      link.rel = "noopener";
      link.textContent = "📎 " + (file.title || "Attachment") + (file.size ? " (" + formatSize(file.size) + ")" : "");
      link.dataset.testid = "chat-attachment";
      bubble.appendChild(link);
    }
    item.appendChild(bubble);
    return item;
  };

  Chat.prototype.receive = function (message) {
    if (!message || typeof message.seq !== "number" || !this.log) return;
    var existing = this.log.querySelector('[data-seq="' + message.seq + '"]');
    if (existing) return; // replayed after a reconnect: already shown
    var node = this.buildMessage(message);
    // Our own message coming back: it replaces its "Sending…" copy.
    if (message.client_id) {
      var pending = this.log.querySelector('[data-client-id="' + CSS.escape(message.client_id) + '"]:not([data-seq])');
      if (pending) pending.remove();
      this.outbox = this.outbox.filter(function (item) {
        return item.client_id !== message.client_id;
      });
    }
    // In seq order, before any message still sending.
    var after = null;
    var nodes = this.log.querySelectorAll("[data-seq]");
    for (var i = 0; i < nodes.length; i++) {
      if (Number(nodes[i].dataset.seq) > message.seq) {
        after = nodes[i];
        break;
      }
    }
    if (!after) after = this.log.querySelector("[data-client-id]:not([data-seq])");
    var nearBottom = this.isNearBottom();
    this.log.insertBefore(node, after);
    this.log.classList.remove("hms-chat-log-empty");
    this.lastSeq = Math.max(this.lastSeq, message.seq);
    this.root.dataset.lastSeq = String(this.lastSeq);
    this.send({ action: "ack", seq: message.seq });
    this.refreshReceipts();
    this.scrollDown(nearBottom || String(message.sender && message.sender.id) === this.me);
    if (String(message.sender && message.sender.id) !== this.me) {
      if (this.typingLine && this.typingNames) {
        delete this.typingNames[String(message.sender.id)];
        this.typingLine.textContent = "";
      }
      this.markRead();
      if (this.options.onMessage) this.options.onMessage(message);
    }
  };

  Chat.prototype.markRead = function () {
    if (document.visibilityState !== "visible" || !this.lastSeq) return;
    if (this.lastSeq <= this.lastReadSent) return;
    if (this.send({ action: "read", seq: this.lastSeq })) this.lastReadSent = this.lastSeq;
  };

  Chat.prototype.readReceipt = function (user, seq) {
    if (user === this.me || typeof seq !== "number") return;
    this.readByOthers[user] = Math.max(this.readByOthers[user] || 0, seq);
    this.refreshReceipts();
  };

  // "Seen" on our messages someone else has read up to; "Sent" on the others.
  Chat.prototype.refreshReceipts = function () {
    if (!this.log) return;
    var chat = this;
    var readers = Object.keys(this.readByOthers);
    this.log.querySelectorAll(".hms-chat-mine[data-seq]").forEach(function (node) {
      var seq = Number(node.dataset.seq);
      var seenBy = readers.filter(function (user) {
        return chat.readByOthers[user] >= seq;
      });
      var receipt = node.querySelector("[data-receipt]");
      if (!receipt) return;
      if (seenBy.length) {
        receipt.textContent = "Seen";
        receipt.title = "Seen by " + seenBy.map(function (user) {
          return chat.names[user] || "the other participant";
        }).join(", ");
        node.dataset.read = "true";
      } else {
        receipt.textContent = "Sent";
        node.dataset.read = "false";
      }
    });
  };

  Chat.prototype.isNearBottom = function () {
    var log = this.log;
    return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  };

  Chat.prototype.scrollDown = function (force) {
    if (force) this.log.scrollTop = this.log.scrollHeight;
  };

  Chat.prototype.sendSignal = function (kind, data) {
    return this.send({ action: "signal", kind: kind, data: data || {} });
  };

  window.HMSChat = {
    start: function (root, options) {
      return new Chat(root, options).start();
    },
    apiPost: apiPost,
    errorText: errorText,
    uuid4: uuid4,
  };

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chat][data-chat-autostart]").forEach(function (root) {
      if ("WebSocket" in window) root.hmsChat = window.HMSChat.start(root);
    });
  });
})();
