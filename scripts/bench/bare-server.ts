/**
 * The yardstick: a minimal Fastify 5 server with one route that returns a
 * small JSON document. What Callvault's routes cost is reported as a share
 * of what this does on the same machine, in the same run, under the same
 * load. Started as its own process, like Callvault.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));

const port = Number(process.env.PORT ?? 0);
await app.listen({ port, host: '127.0.0.1' });

const stop = () => void app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
