// Ships events to a Seq server the way a Node application does: Datalust's seq-logging with its defaults (no apiKey,
// so every request carries `X-Seq-ApiKey: null`). Arguments: server URL, number of events, application name.
// Exits 1 naming the error when the client reports one.
import { Logger } from "seq-logging";

const [serverUrl, count, application] = process.argv.slice(2);
const errors = [];
const logger = new Logger({ serverUrl, onError: (e) => errors.push(String(e)) });
for (let i = 0; i < Number(count); i++) {
  logger.emit({
    timestamp: new Date(),
    level: i % 10 === 0 ? "Warning" : "Information",
    messageTemplate: "Order {OrderId} shipped to {City}",
    properties: { OrderId: i, City: "Lyon", Application: application },
  });
}
await logger.close();
if (errors.length > 0) {
  console.error(errors.join("\n"));
  process.exit(1);
}
console.log(`shipped ${count}`);
