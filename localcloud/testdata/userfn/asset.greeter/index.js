// A user's function as a plain Node.js handler file: it reads its settings
// from its environment, and throws an error of its own type when asked.
class QuotaError extends Error {
  constructor(message) {
    super(message);
    this.name = "QuotaError";
  }
}

exports.handler = async (event) => {
  if (event && event.fail) {
    throw new QuotaError("out of quota for " + event.fail);
  }
  return `${process.env.GREETING} from ${process.env.ROLE_ARN}`;
};
