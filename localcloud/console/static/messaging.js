// The messaging page: SQS queues with their message counts and SNS topics
// with their subscriptions. console.js routes #/messaging here.
"use strict";

async function messagingView() {
  const d = await api("messaging");
  return [
    el("h1", {}, "Queues and topics"),
    el("h2", {}, "SQS queues"),
    table(["Queue", "Available ", "In flight ", "Delayed ", "Dead-letter queue"], d.queues.map(qu => el("tr", { "data-queue": qu.name },
      el("td", {}, qu.name, qu.fifo ? " (FIFO)" : "", el("br"), el("small", {}, qu.url)),
      el("td", { class: "num" }, num(qu.visible)), el("td", { class: "num" }, num(qu.inFlight)), el("td", { class: "num" }, num(qu.delayed)),
      el("td", {}, qu.deadLetterQueue ? qu.deadLetterQueue.split(":").pop() + " after " + qu.maxReceiveCount + " receives" : ""))),
      "No queues: deploy an app with AWS::SQS::Queue resources, or create one with the SDK."),
    el("h2", {}, "SNS topics"),
    table(["Topic", "Subscriptions"], d.topics.map(tp => el("tr", { "data-topic": tp.name },
      el("td", {}, tp.name, el("br"), el("small", {}, tp.arn)),
      el("td", {}, tp.subscriptions.length ? tp.subscriptions.map(s => el("div", {}, s.protocol + " → " + s.endpoint)) : "(none)"))),
      "No topics: deploy an app with AWS::SNS::Topic resources, or create one with the SDK."),
  ];
}
