/* The consult call page (doctor, patient and invited staff): joins the room, then runs the
   chat (chat.js) and a WebRTC video call whose signalling travels over the same socket.

   Signalling: {"action":"signal","kind":"offer"|"answer"|"ice"|"hangup"|"media","data":{...}}
   is relayed by the server to the other participants; data.to names the one it is meant for
   (several people may be in the room: one peer connection per pair) and data.session the
   sender's page load, so a peer that reloaded gets a fresh connection. Both sides offer; the
   "perfect negotiation" pattern settles collisions (the participant with the smaller id is
   the polite one and yields).

   When the camera or microphone is refused, or the peers cannot connect, the page says so
   plainly and the consult goes on by chat. */
(function () {
  "use strict";

  var STATS_EVERY_MS = 2000;
  var SLOW_CONNECT_MS = 20000;

  function $(root, selector) {
    return root.querySelector(selector);
  }

  function two(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function randomId() {
    return window.HMSChat.uuid4();
  }

  function Consult(root) {
    this.root = root;
    this.role = root.dataset.role; // "doctor" (the appointment's doctor), "patient" or "staff"
    this.mayShare = root.dataset.mayShare === "true";
    this.joinUrl = root.dataset.joinUrl;
    this.endUrl = root.dataset.endUrl;
    this.inviteUrl = root.dataset.inviteUrl;
    this.session = randomId();
    this.me = "";
    this.peers = {};
    this.localStream = null;
    this.cameraTrack = null;
    this.screenTrack = null;
    this.iceServers = [];
    this.timerStart = null;
    this.timer = null;
    this.statsTimer = null;
    this.lastStats = null;
    this.ended = false;
    this.mediaState = { audio: true, video: true };
    this.remoteGrid = $(root, "[data-remote-videos]");
    this.localVideo = $(root, "[data-local-video]");
    this.notice = $(root, "[data-call-notice]");
    this.callState = $(root, "[data-call-state]");
    this.timerLabel = $(root, "[data-call-timer]");
    this.quality = $(root, "[data-call-quality]");
  }

  // A notice above the call. Clearing it brings back the media fallback's explanation, which
  // stays for as long as the page runs without camera and microphone.
  Consult.prototype.say = function (text, tone, testid) {
    if (!this.notice) return;
    if (!text && this.mediaMessage) {
      text = this.mediaMessage;
      tone = "warning";
      testid = "media-fallback";
    }
    this.notice.hidden = !text;
    this.notice.className = "alert mb-3 alert-" + (tone || "info");
    this.notice.textContent = text || "";
    this.notice.dataset.testid = testid || "call-notice";
  };

  Consult.prototype.setState = function (text, state) {
    if (this.callState) this.callState.textContent = text;
    this.root.dataset.callState = state;
  };

  Consult.prototype.start = function () {
    var consult = this;
    this.bindControls();
    this.setState("Joining the consult…", "joining");
    window.HMSChat.apiPost(this.joinUrl)
      .then(function (result) {
        if (!result.ok) {
          consult.setState("Not connected", "refused");
          consult.say(window.HMSChat.errorText(result, "The consult could not be joined."), "warning", "join-refused");
          return;
        }
        consult.joined(result.data);
      })
      .catch(function () {
        consult.setState("Not connected", "refused");
        consult.say("The consult could not be joined: no connection to the server.", "danger", "join-refused");
      });
  };

  Consult.prototype.joined = function (room) {
    var consult = this;
    this.iceServers = room.ice_servers || [];
    var chatRoot = $(this.root, "[data-chat]");
    chatRoot.dataset.conversation = room.conversation;
    this.root.dataset.conversation = room.conversation;
    this.setState("Starting camera and microphone…", "media");
    this.getMedia().then(function () {
      consult.chat = window.HMSChat.start(chatRoot, {
        conversation: room.conversation,
        onHello: function (hello) {
          consult.hello(hello);
        },
        onPresence: function (user, state) {
          consult.presence(user, state);
        },
        onSignal: function (frame) {
          consult.signal(frame);
        },
        onEnded: function () {
          consult.consultEnded();
        },
        onClosed: function (code) {
          if (code === 4410) consult.consultEnded();
          else consult.setState("Not connected", "refused");
        },
      });
      chatRoot.hmsChat = consult.chat;
    });
    window.addEventListener("pagehide", function () {
      consult.hangUpAll(true);
    });
  };

  // --- Local media -----------------------------------------------------------------------

  Consult.prototype.getMedia = function () {
    var consult = this;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      this.mediaRefused("Video needs a secure connection (https) and a recent browser. The consult continues by chat.");
      return Promise.resolve();
    }
    return navigator.mediaDevices
      .getUserMedia({ audio: true, video: { width: { ideal: 1280 }, height: { ideal: 720 } } })
      .catch(function (error) {
        if (error && (error.name === "NotFoundError" || error.name === "OverconstrainedError")) {
          // No camera: the microphone alone still makes a call.
          return navigator.mediaDevices.getUserMedia({ audio: true });
        }
        throw error;
      })
      .then(function (stream) {
        consult.localStream = stream;
        consult.cameraTrack = stream.getVideoTracks()[0] || null;
        consult.mediaState = { audio: stream.getAudioTracks().length > 0, video: !!consult.cameraTrack };
        if (consult.localVideo) {
          consult.localVideo.srcObject = stream;
          consult.localVideo.muted = true;
          consult.localVideo.play().catch(function () {});
        }
        consult.root.dataset.media = "on";
        consult.updateButtons();
      })
      .catch(function (error) {
        var name = error && error.name;
        if (name === "NotAllowedError" || name === "SecurityError") {
          consult.mediaRefused(
            "Your browser blocked the camera and microphone, so this consult continues by chat. " +
              "You still see and hear the other side. To talk on video, allow the camera and " +
              "microphone for this site in the browser's settings and reload the page."
          );
        } else {
          consult.mediaRefused(
            "No camera or microphone could be started (" + (name || "unknown error") + "). " +
              "The consult continues by chat."
          );
        }
      });
  };

  Consult.prototype.mediaRefused = function (text) {
    this.root.dataset.media = "denied";
    this.mediaState = { audio: false, video: false };
    this.mediaMessage = text;
    this.say(text, "warning", "media-fallback");
    this.updateButtons();
  };

  // --- Peers -------------------------------------------------------------------------------

  Consult.prototype.hello = function (hello) {
    var consult = this;
    this.me = String(hello.me);
    if (hello.ice_servers && hello.ice_servers.length) this.iceServers = hello.ice_servers;
    this.names = {};
    (hello.participants || []).forEach(function (person) {
      consult.names[String(person.id)] = person.name;
    });
    var others = (hello.online || []).map(String).filter(function (id) {
      return id !== consult.me;
    });
    if (!others.length && !Object.keys(this.peers).length) {
      this.setState(this.role === "patient" ? "In the waiting room: the doctor will join soon." : "Waiting for the others to join…", "waiting");
    }
    others.forEach(function (id) {
      if (consult.peers[id]) return;
      if (consult.offersTo(id)) consult.peer(id, null);
      // The other one offers: tell them this page is ready (after a reload, their old
      // connection to this participant is stale and they start a new one).
      else consult.sendSignal("media", { id: id }, Object.assign({ ready: true }, consult.mediaNow()));
    });
  };

  // Of each pair, the participant with the larger id makes the first offer; the other answers
  // it (both offering at once would only be settled by the negotiation pattern below).
  Consult.prototype.offersTo = function (id) {
    return this.me > id;
  };

  Consult.prototype.presence = function (user, state) {
    var id = String(user.id);
    if (id === this.me) return;
    if (this.names) this.names[id] = user.name;
    if (state === "joined") {
      this.say("");
      var existing = this.peers[id];
      if (existing && ["failed", "closed"].indexOf(existing.pc.connectionState) >= 0) {
        this.dropPeer(id);
        existing = null;
      }
      if (!existing && this.offersTo(id)) this.peer(id, null);
    } else if (state === "left") {
      var peer = this.peers[id];
      if (peer) peer.label.textContent = (user.name || "Participant") + " (left or reconnecting)";
      if (!Object.keys(this.peers).length) this.setState("Waiting for the others to join…", "waiting");
    }
  };

  Consult.prototype.peer = function (id, remoteSession) {
    var consult = this;
    var pc = new RTCPeerConnection({ iceServers: this.iceServers });
    var peer = {
      id: id,
      pc: pc,
      polite: this.me < id,
      makingOffer: false,
      ignoreOffer: false,
      session: remoteSession,
      restarted: false,
      pendingCandidates: [],
      tile: null,
      label: null,
      video: null,
    };
    this.peers[id] = peer;
    this.buildTile(peer);
    if (this.localStream) {
      this.localStream.getTracks().forEach(function (track) {
        var sending = track.kind === "video" && consult.screenTrack ? consult.screenTrack : track;
        pc.addTrack(sending, consult.localStream);
      });
    }
    // Without a camera or microphone, the one who offers still asks to receive them. (The
    // one who answers takes the offer's media sections.)
    var offering = remoteSession === null;
    if (offering && (!this.localStream || !this.localStream.getAudioTracks().length)) {
      pc.addTransceiver("audio", { direction: "recvonly" });
    }
    if (offering && (!this.localStream || !this.localStream.getVideoTracks().length)) {
      pc.addTransceiver("video", { direction: "recvonly" });
    }
    pc.addEventListener("track", function (event) {
      var stream = event.streams[0] || new MediaStream([event.track]);
      if (peer.video.srcObject !== stream) {
        peer.video.srcObject = stream;
        peer.video.play().catch(function () {});
      }
    });
    pc.addEventListener("negotiationneeded", function () {
      peer.makingOffer = true;
      pc.setLocalDescription()
        .then(function () {
          consult.sendSignal("offer", peer, { description: pc.localDescription.toJSON() });
        })
        .catch(function () {})
        .then(function () {
          peer.makingOffer = false;
        });
    });
    pc.addEventListener("icecandidate", function (event) {
      if (event.candidate) consult.sendSignal("ice", peer, { candidate: event.candidate.toJSON() });
    });
    pc.addEventListener("connectionstatechange", function () {
      consult.connectionChanged(peer);
    });
    // Still not connected after a while (ICE can take long to give up): say so early.
    peer.slowTimer = window.setTimeout(function () {
      if (consult.peers[peer.id] === peer && pc.connectionState !== "connected" && !consult.ended) {
        consult.say(
          "The video is taking long to connect. You can go on by chat meanwhile; the video " +
            "starts by itself if the connection succeeds.",
          "secondary",
          "slow-connection"
        );
      }
    }, SLOW_CONNECT_MS);
    return peer;
  };

  Consult.prototype.buildTile = function (peer) {
    var tile = document.createElement("figure");
    tile.className = "hms-remote-tile m-0";
    tile.dataset.peer = peer.id;
    var video = document.createElement("video");
    video.autoplay = true;
    video.playsInline = true;
    video.dataset.testid = "remote-video";
    video.className = "hms-video";
    var label = document.createElement("figcaption");
    label.className = "hms-video-label";
    label.textContent = (this.names && this.names[peer.id]) || "Participant";
    var media = document.createElement("span");
    media.className = "hms-video-media small";
    media.dataset.peerMedia = "1";
    tile.appendChild(video);
    tile.appendChild(label);
    tile.appendChild(media);
    this.remoteGrid.appendChild(tile);
    this.remoteGrid.classList.remove("hms-remote-empty");
    peer.tile = tile;
    peer.label = label;
    peer.video = video;
    peer.media = media;
  };

  Consult.prototype.dropPeer = function (id) {
    var peer = this.peers[id];
    if (!peer) return;
    delete this.peers[id];
    window.clearTimeout(peer.slowTimer);
    try {
      peer.pc.close();
    } catch (error) {
      /* already closed */
    }
    if (peer.tile) peer.tile.remove();
    if (!Object.keys(this.peers).length) {
      this.remoteGrid.classList.add("hms-remote-empty");
      this.stopStats();
    }
  };

  Consult.prototype.sendSignal = function (kind, peer, data) {
    if (!this.chat) return;
    data.to = peer.id;
    data.session = this.session;
    this.chat.sendSignal(kind, data);
  };

  Consult.prototype.signal = function (frame) {
    var data = frame.data || {};
    var from = String(frame.from);
    if (from === this.me || this.ended) return;
    if (data.to !== undefined && String(data.to) !== this.me) return;
    var peer = this.peers[from];
    if (frame.kind === "hangup") {
      if (peer) {
        this.dropPeer(from);
        this.say((this.names && this.names[from] ? this.names[from] : "The other participant") + " left the call.", "info");
      }
      return;
    }
    // A page reloaded on the other side: its old connection is gone, start afresh.
    if (peer && data.session && peer.session && peer.session !== data.session) {
      this.dropPeer(from);
      peer = null;
    }
    if (!peer && frame.kind === "media" && data.ready && this.offersTo(from)) {
      peer = this.peer(from, null);
      if (peer) peer.session = data.session || null;
      return;
    }
    if (!peer) {
      if (frame.kind !== "offer") return;
      peer = this.peer(from, data.session || "");
      if (!peer) return;
    }
    if (data.session) peer.session = data.session;
    if (frame.kind === "offer" || frame.kind === "answer") this.description(peer, data.description);
    else if (frame.kind === "ice") this.candidate(peer, data.candidate);
    else if (frame.kind === "media") this.remoteMedia(peer, data);
  };

  Consult.prototype.description = function (peer, description) {
    var consult = this;
    var pc = peer.pc;
    if (!description) return;
    var collision = description.type === "offer" && (peer.makingOffer || pc.signalingState !== "stable");
    peer.ignoreOffer = !peer.polite && collision;
    if (peer.ignoreOffer) return;
    pc.setRemoteDescription(description)
      .then(function () {
        consult.flushCandidates(peer);
        if (description.type !== "offer") return null;
        return pc.setLocalDescription().then(function () {
          consult.sendSignal("answer", peer, { description: pc.localDescription.toJSON() });
        });
      })
      .catch(function () {
        consult.say("The video connection could not be negotiated. The consult continues by chat.", "warning", "ice-fallback");
      });
  };

  // A candidate can arrive before the description it belongs to (the other side answered
  // after rolling back its own offer): it waits for that description instead of being lost.
  Consult.prototype.candidate = function (peer, candidate) {
    if (!candidate) return;
    if (!peer.pc.remoteDescription) {
      peer.pendingCandidates.push(candidate);
      return;
    }
    peer.pc.addIceCandidate(candidate).catch(function () {
      /* a candidate of an offer we ignored */
    });
  };

  Consult.prototype.flushCandidates = function (peer) {
    var waiting = peer.pendingCandidates.splice(0);
    var consult = this;
    waiting.forEach(function (candidate) {
      consult.candidate(peer, candidate);
    });
  };

  Consult.prototype.remoteMedia = function (peer, data) {
    var off = [];
    if (data.audio === false) off.push("muted");
    if (data.video === false) off.push("camera off");
    if (data.screen) off.push("sharing the screen");
    peer.media.textContent = off.join(" · ");
  };

  Consult.prototype.connectionChanged = function (peer) {
    var state = peer.pc.connectionState;
    peer.tile.dataset.state = state;
    if (state === "connected") {
      this.say("");
      this.setState("Connected", "connected");
      this.root.dataset.connected = "true";
      this.startTimer();
      this.startStats();
      this.sendSignal("media", peer, this.mediaNow());
    } else if (state === "disconnected") {
      this.setState("Connection unstable: reconnecting…", "reconnecting");
    } else if (state === "failed") {
      if (!peer.restarted) {
        // One ICE restart (it renegotiates); if that fails too, chat is the way on.
        peer.restarted = true;
        peer.pc.restartIce();
        this.setState("Reconnecting the video…", "reconnecting");
        return;
      }
      this.setState("Video not connected", "failed");
      this.say(
        "The video connection could not be established (a firewall or network may block it). " +
          "The consult continues by chat below.",
        "warning",
        "ice-fallback"
      );
    }
  };

  Consult.prototype.hangUpAll = function (leaving) {
    var consult = this;
    Object.keys(this.peers).forEach(function (id) {
      if (leaving) consult.sendSignal("hangup", consult.peers[id], {});
      consult.dropPeer(id);
    });
  };

  // --- Controls ----------------------------------------------------------------------------

  Consult.prototype.mediaNow = function () {
    return { audio: this.mediaState.audio, video: this.mediaState.video, screen: !!this.screenTrack };
  };

  Consult.prototype.broadcastMedia = function () {
    var consult = this;
    Object.keys(this.peers).forEach(function (id) {
      consult.sendSignal("media", consult.peers[id], consult.mediaNow());
    });
  };

  Consult.prototype.bindControls = function () {
    var consult = this;
    var on = function (selector, handler) {
      var button = $(consult.root, selector);
      if (button) button.addEventListener("click", handler);
    };
    on("[data-toggle-mic]", function () {
      if (!consult.localStream) return;
      consult.mediaState.audio = !consult.mediaState.audio;
      consult.localStream.getAudioTracks().forEach(function (track) {
        track.enabled = consult.mediaState.audio;
      });
      consult.updateButtons();
      consult.broadcastMedia();
    });
    on("[data-toggle-camera]", function () {
      if (!consult.cameraTrack) return;
      consult.mediaState.video = !consult.mediaState.video;
      consult.cameraTrack.enabled = consult.mediaState.video;
      consult.updateButtons();
      consult.broadcastMedia();
    });
    on("[data-share-screen]", function () {
      if (consult.screenTrack) consult.stopSharing();
      else consult.shareScreen();
    });
    on("[data-end-consult]", function () {
      if (!window.confirm("End the consult for everyone? The appointment is completed and billed.")) return;
      window.HMSChat.apiPost(consult.endUrl).then(function (result) {
        if (!result.ok) {
          consult.say(window.HMSChat.errorText(result, "The consult could not be ended."), "danger");
          return;
        }
        consult.consultEnded();
        if (consult.chat) consult.chat.finish("You ended the consult. The conversation stays in your messages.");
      });
    });
    on("[data-leave-call]", function () {
      consult.hangUpAll(true);
      consult.stopMedia();
      consult.setState("You left the call. The chat stays open.", "left");
    });
    var invite = $(this.root, "[data-invite-form]");
    if (invite) {
      invite.addEventListener("submit", function (event) {
        event.preventDefault();
        var select = invite.querySelector("select");
        var output = invite.querySelector("[data-invite-result]");
        if (!select.value) return;
        window.HMSChat.apiPost(consult.inviteUrl, { user: select.value }).then(function (result) {
          output.textContent = result.ok
            ? select.options[select.selectedIndex].text + " is invited: they can join from this page's address."
            : window.HMSChat.errorText(result, "The invitation failed.");
          output.className = "small mt-2 " + (result.ok ? "text-success" : "text-danger");
        });
      });
    }
  };

  Consult.prototype.updateButtons = function () {
    var mic = $(this.root, "[data-toggle-mic]");
    var cam = $(this.root, "[data-toggle-camera]");
    var share = $(this.root, "[data-share-screen]");
    var hasAudio = !!(this.localStream && this.localStream.getAudioTracks().length);
    if (mic) {
      mic.disabled = !hasAudio;
      mic.setAttribute("aria-pressed", hasAudio && !this.mediaState.audio ? "true" : "false");
      mic.querySelector("[data-label]").textContent = hasAudio && !this.mediaState.audio ? "Unmute" : "Mute";
    }
    if (cam) {
      cam.disabled = !this.cameraTrack;
      cam.setAttribute("aria-pressed", this.cameraTrack && !this.mediaState.video ? "true" : "false");
      cam.querySelector("[data-label]").textContent = this.cameraTrack && !this.mediaState.video ? "Camera on" : "Camera off";
    }
    if (share) {
      share.hidden = !this.mayShare || !(navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia);
      share.setAttribute("aria-pressed", this.screenTrack ? "true" : "false");
      share.querySelector("[data-label]").textContent = this.screenTrack ? "Stop sharing" : "Share screen";
    }
  };

  Consult.prototype.replaceVideo = function (track) {
    var consult = this;
    Object.keys(this.peers).forEach(function (id) {
      var pc = consult.peers[id].pc;
      var sender = pc.getSenders().find(function (s) {
        return s.track && s.track.kind === "video";
      });
      if (sender) sender.replaceTrack(track);
      else pc.addTrack(track, consult.localStream || new MediaStream([track]));
    });
    if (this.localVideo) this.localVideo.srcObject = new MediaStream([track]);
  };

  Consult.prototype.shareScreen = function () {
    var consult = this;
    navigator.mediaDevices
      .getDisplayMedia({ video: true })
      .then(function (stream) {
        var track = stream.getVideoTracks()[0];
        consult.screenTrack = track;
        track.addEventListener("ended", function () {
          consult.stopSharing();
        });
        consult.replaceVideo(track);
        consult.updateButtons();
        consult.broadcastMedia();
      })
      .catch(function () {
        consult.say("Screen sharing was not started.", "secondary");
      });
  };

  Consult.prototype.stopSharing = function () {
    if (!this.screenTrack) return;
    this.screenTrack.stop();
    this.screenTrack = null;
    if (this.cameraTrack) this.replaceVideo(this.cameraTrack);
    if (this.localVideo && this.localStream) this.localVideo.srcObject = this.localStream;
    this.updateButtons();
    this.broadcastMedia();
  };

  Consult.prototype.stopMedia = function () {
    if (this.localStream) this.localStream.getTracks().forEach(function (track) {
      track.stop();
    });
    if (this.screenTrack) this.screenTrack.stop();
    this.localStream = null;
    this.cameraTrack = null;
    this.screenTrack = null;
    this.updateButtons();
  };

  Consult.prototype.consultEnded = function () {
    if (this.ended) return;
    this.ended = true;
    this.hangUpAll(false);
    this.stopMedia();
    this.stopTimer();
    this.setState("The consult has ended", "ended");
    this.root.dataset.ended = "true";
    var after = $(this.root, "[data-after-consult]");
    if (after) after.hidden = false;
    this.root.querySelectorAll("[data-live-only]").forEach(function (node) {
      node.disabled = true;
    });
  };

  // --- Timer and connection quality ----------------------------------------------------------

  Consult.prototype.startTimer = function () {
    var consult = this;
    if (this.timer) return;
    if (!this.timerStart) this.timerStart = Date.now();
    var tick = function () {
      var seconds = Math.max(0, Math.floor((Date.now() - consult.timerStart) / 1000));
      var text = two(Math.floor(seconds / 60)) + ":" + two(seconds % 60);
      if (seconds >= 3600) text = Math.floor(seconds / 3600) + ":" + two(Math.floor(seconds / 60) % 60) + ":" + two(seconds % 60);
      consult.timerLabel.textContent = text;
      consult.timerLabel.dateTime = "PT" + seconds + "S";
    };
    tick();
    this.timer = window.setInterval(tick, 1000);
  };

  Consult.prototype.stopTimer = function () {
    window.clearInterval(this.timer);
    this.stopStats();
  };

  Consult.prototype.startStats = function () {
    var consult = this;
    if (this.statsTimer) return;
    this.statsTimer = window.setInterval(function () {
      consult.sampleStats();
    }, STATS_EVERY_MS);
    this.sampleStats();
  };

  Consult.prototype.stopStats = function () {
    window.clearInterval(this.statsTimer);
    this.statsTimer = null;
  };

  // Round-trip time of the selected candidate pair and the share of packets lost since the
  // last sample (audio and video received): Good, Fair or Poor.
  Consult.prototype.sampleStats = function () {
    var consult = this;
    var ids = Object.keys(this.peers);
    if (!ids.length) return;
    this.peers[ids[0]].pc.getStats().then(function (report) {
      var rtt = null;
      var lost = 0;
      var received = 0;
      var pairs = {};
      var selected = null;
      report.forEach(function (stat) {
        if (stat.type === "candidate-pair") pairs[stat.id] = stat;
        if (stat.type === "transport" && stat.selectedCandidatePairId) selected = stat.selectedCandidatePairId;
        if (stat.type === "inbound-rtp") {
          lost += stat.packetsLost || 0;
          received += stat.packetsReceived || 0;
        }
      });
      var pair = selected ? pairs[selected] : null;
      if (!pair) {
        Object.keys(pairs).forEach(function (key) {
          if (pairs[key].nominated && pairs[key].state === "succeeded") pair = pairs[key];
        });
      }
      if (pair && typeof pair.currentRoundTripTime === "number") rtt = pair.currentRoundTripTime * 1000;
      var previous = consult.lastStats || { lost: 0, received: 0 };
      var newLost = Math.max(0, lost - previous.lost);
      var newReceived = Math.max(0, received - previous.received);
      consult.lastStats = { lost: lost, received: received };
      var loss = newLost + newReceived ? (100 * newLost) / (newLost + newReceived) : 0;
      var level = "good";
      if ((rtt !== null && rtt > 600) || loss > 8) level = "poor";
      else if ((rtt !== null && rtt > 300) || loss > 2) level = "fair";
      var label = { good: "Good", fair: "Fair", poor: "Poor" }[level];
      consult.quality.dataset.level = level;
      consult.quality.textContent =
        label + (rtt !== null ? " · " + Math.round(rtt) + " ms" : "") + " · " + loss.toFixed(1) + "% lost";
    });
  };

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-consult]");
    if (!root || !window.HMSChat || root.dataset.consultState !== "open") return;
    if (!("RTCPeerConnection" in window)) {
      root.dataset.noWebrtc = "true";
    }
    var consult = new Consult(root);
    root.hmsConsult = consult;
    if (!("RTCPeerConnection" in window)) {
      consult.say("This browser cannot make video calls. The consult continues by chat.", "warning", "media-fallback");
      consult.peer = function () {
        return null;
      };
    }
    consult.start();
  });
})();
