/**
 * A Node.js one-liner (for `node -e`) that waits until a TCP connection to `$<hostVariable>:$<portVariable>`
 * succeeds, retrying a bounded number of times, then exits 0; it exits 1 when every attempt failed.
 *
 * Why: with the EKS VPC CNI network policy agent, a new pod's first packets can be dropped until its policies are
 * programmed (aws/aws-network-policy-agent#236, #189, #345), so a migration that connects at once can fail for no
 * reason of its own. The init container running this keeps the migration itself from starting before the database
 * is reachable.
 */
export function waitForTcpScript(
  hostVariable: string,
  portVariable: string,
  attempts: number,
  delaySeconds: number,
): string {
  return [
    "const net = require('net');",
    `const host = process.env.${hostVariable};`,
    `const port = Number(process.env.${portVariable});`,
    `const attempts = ${attempts};`,
    'const attempt = (n) => {',
    '  let settled = false;',
    '  const socket = net.connect({ host, port });',
    '  socket.setTimeout(3000);',
    '  const fail = (reason) => {',
    '    if (settled) return;',
    '    settled = true;',
    '    socket.destroy();',
    '    console.error(`attempt ${n}/${attempts}: ${host}:${port} not reachable: ${reason}`);',
    '    if (n >= attempts) process.exit(1);',
    `    setTimeout(() => attempt(n + 1), ${delaySeconds * 1000});`,
    '  };',
    "  socket.once('connect', () => {",
    '    settled = true;',
    '    socket.destroy();',
    '    console.log(`${host}:${port} reachable after ${n} attempt(s)`);',
    '    process.exit(0);',
    '  });',
    "  socket.once('timeout', () => fail('timeout'));",
    "  socket.once('error', (error) => fail(error.code || error.message));",
    '};',
    'attempt(1);',
  ].join('\n');
}
