// A user's Node.js function: a plain handler file.
class QuotaError extends Error {
  constructor(message) {
    super(message);
    this.name = "QuotaError";
  }
}

exports.handler = async (event, context) => {
  console.log("node function called from", event.from || "a test");
  if (event.fail) {
    throw new QuotaError("out of quota: " + event.fail);
  }
  return { from: event.from, greeting: process.env.GREETING, bucket: process.env.BUCKET, function: context.functionName };
};
