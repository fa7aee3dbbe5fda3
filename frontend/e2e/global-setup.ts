/**
 * Start the real stack for the browser tests: an SMTP sink, the API on a fresh SQLite file
 * (migrations applied), and `next start` of the production build, each on a free port.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const FRONTEND = resolve(__dirname, "..");
const BACKEND = resolve(FRONTEND, "..", "backend");
const LOGS = join(FRONTEND, ".e2e");

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? done(address.port) : fail(new Error("no port"))));
    });
  });
}

async function waitFor(url: string, child: ChildProcess, name: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}; see ${LOGS}/${name}.log`);
    try {
      const response = await fetch(url);
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`${name} did not answer ${url} within ${timeoutMs / 1000} s; see ${LOGS}/${name}.log`);
}

function start(name: string, command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): ChildProcess {
  const log = createWriteStream(join(LOGS, `${name}.log`));
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(join(FRONTEND, ".next", "BUILD_ID"))) {
    throw new Error("No production build: run `next build` (make test-frontend does) before the browser tests.");
  }
  mkdirSync(LOGS, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), "meterbook-e2e-"));
  const mailDir = join(work, "mail");
  const [smtpPort, apiPort, webPort] = [await freePort(), await freePort(), await freePort()];
  const web = `http://127.0.0.1:${webPort}`;
  const api = `http://127.0.0.1:${apiPort}`;

  const apiEnv: NodeJS.ProcessEnv = {
    ...process.env,
    APP_ENV: "development",
    FLASK_DEBUG: "0",
    DATABASE_URL: `sqlite:///${join(work, "e2e.db")}`,
    FRONTEND_URL: web,
    CORS_ORIGINS: JSON.stringify([web]), // a JSON list: the settings loader reads list values as JSON
    MAIL_SERVER: "127.0.0.1",
    MAIL_PORT: String(smtpPort),
    RATELIMIT_ENABLED: "false",
    REDIS_URL: "",
    LOG_LEVEL: "WARNING",
    // Jobs (alerts, webhook deliveries, e-mail) run as they are queued: the journeys see their effects without a worker.
    JOBS_URL: "immediate://",
    // The webhook journey's receiver is a closed port on this machine.
    WEBHOOK_ALLOW_HTTP: "true",
    WEBHOOK_ALLOW_PRIVATE: "true",
    // Photos go with the run's database, not into backend/instance.
    STORAGE_URL: `file://${join(work, "uploads")}`,
  };
  const children: ChildProcess[] = [];
  const stopAll = async () => {
    for (const child of children.reverse()) {
      if (child.exitCode === null) child.kill("SIGTERM");
    }
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            const timer = setTimeout(() => {
              child.kill("SIGKILL");
              done();
            }, 5000);
            child.once("exit", () => {
              clearTimeout(timer);
              done();
            });
          }),
      ),
    );
    rmSync(work, { recursive: true, force: true });
  };

  try {
    execFileSync(join(BACKEND, ".venv", "bin", "flask"), ["--app", "wsgi", "db", "upgrade"], { cwd: BACKEND, env: apiEnv, stdio: "pipe" });
    const smtp = start(
      "smtp",
      join(BACKEND, ".venv", "bin", "python"),
      [join(__dirname, "support", "smtp_sink.py"), mailDir, String(smtpPort)],
      { cwd: BACKEND, env: apiEnv },
    );
    children.push(smtp);
    const apiServer = start(
      "api",
      join(BACKEND, ".venv", "bin", "flask"),
      ["--app", "wsgi", "run", "--host", "127.0.0.1", "--port", String(apiPort), "--with-threads"],
      {
        cwd: BACKEND,
        env: apiEnv,
      },
    );
    children.push(apiServer);
    const webServer = start(
      "web",
      process.execPath,
      [join(FRONTEND, "node_modules", "next", "dist", "bin", "next"), "start", "-H", "127.0.0.1", "-p", String(webPort)],
      {
        cwd: FRONTEND,
        env: {
          ...process.env,
          NODE_ENV: "production",
          NEXT_TELEMETRY_DISABLED: "1",
          NEXT_PUBLIC_API_URL: api,
          NEXT_PUBLIC_WS_URL: `ws://127.0.0.1:${apiPort}/ws`,
        },
      },
    );
    children.push(webServer);
    await waitFor(`${api}/health`, apiServer, "api");
    await waitFor(`${web}/login`, webServer, "web");
  } catch (error) {
    await stopAll();
    throw error;
  }

  process.env.E2E_WEB_URL = web;
  process.env.E2E_API_URL = api;
  process.env.E2E_MAIL_DIR = mailDir;
  return stopAll;
}
