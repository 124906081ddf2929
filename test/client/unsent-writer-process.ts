// A process that sends messages it cannot deliver (its server is down), keeping them in fileStorage,
// for a test to kill and a later process to deliver. Args: the storage path, the dead server's url, texts.
import { EchoClient, fileStorage } from "../../client/index.js";

const [file, url, ...texts] = process.argv.slice(2);
const client = new EchoClient({ url: url!, storage: fileStorage(file!) });
for (const text of texts) client.send(text);
console.log(`sent ${texts.length}`);
