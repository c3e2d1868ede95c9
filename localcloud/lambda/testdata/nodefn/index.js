// A user's Node.js function as a plain handler file.
let invocations = 0;

exports.handler = async (event, context) => {
  invocations++;
  console.log("handling", JSON.stringify(event));
  if (event.action === "fail") {
    class QuotaError extends Error {
      constructor(msg) { super(msg); this.name = "QuotaError"; }
    }
    throw new QuotaError("out of quota");
  }
  return {
    greeting: process.env.GREETING,
    name: context.functionName,
    memory: context.memoryLimitInMB,
    requestId: context.awsRequestId,
    region: process.env.AWS_REGION,
    secondsLeft: Math.round(context.getRemainingTimeInMillis() / 1000),
    invocations,
    pid: process.pid,
  };
};
