import { randomBytes } from 'node:crypto';
import type { Actor, Role } from '@trial-ledger/domain';
import type { Identity } from '@trial-ledger/identity';

/** The study team of the demo: one person per role of SPEC §5. */
export interface DemoUser {
  readonly username: string;
  readonly fullName: string;
  readonly role: Role;
}

export interface DemoCredential extends DemoUser {
  readonly password: string;
}

export const DEMO_TEAM: readonly DemoUser[] = [
  { username: 'a.morgan', fullName: 'Alex Morgan', role: 'admin' },
  { username: 'k.lindqvist', fullName: 'Dr Karin Lindqvist', role: 'investigator' },
  { username: 's.okafor', fullName: 'Samuel Okafor', role: 'coordinator' },
  { username: 'm.rossi', fullName: 'Marta Rossi', role: 'monitor' },
  { username: 'j.tanaka', fullName: 'Jun Tanaka', role: 'regulator' },
];

/**
 * A password for each demo user: `TRIAL_LEDGER_DEMO_PASSWORD` when set (one for the whole team, so a
 * workshop can share it), else a fresh random one per user, shown once by the CLI. There is no
 * default password anywhere (Part 11 §11.300).
 */
export const demoPasswords = (env: NodeJS.ProcessEnv = process.env): ((user: DemoUser) => string) => {
  const shared = env.TRIAL_LEDGER_DEMO_PASSWORD;
  if (shared !== undefined && shared !== '') return () => shared;
  return () => randomBytes(18).toString('base64url');
};

/** Creates the first administrator, who then adds the rest of the team; returns their actors. */
export const createDemoTeam = async (
  identity: Identity,
  passwordOf: (user: DemoUser) => string,
): Promise<{ actors: ReadonlyMap<Role, Actor>; credentials: DemoCredential[] }> => {
  const credentials = DEMO_TEAM.map((user) => ({ ...user, password: passwordOf(user) }));
  const actors = new Map<Role, Actor>();
  const actorOf = (view: { userId: string; username: string; fullName: string; role: Role }): Actor => ({ userId: view.userId, username: view.username, fullName: view.fullName, role: view.role });
  const [admin, ...others] = credentials;
  const adminActor = actorOf(await identity.users.createFirstAdmin({ username: admin.username, fullName: admin.fullName, password: admin.password }, 'cli'));
  actors.set('admin', adminActor);
  for (const user of others) {
    const view = await identity.users.addUser(adminActor, { username: user.username, fullName: user.fullName, role: user.role, password: user.password, reason: 'Demo study team' }, 'cli');
    actors.set(user.role, actorOf(view));
  }
  return { actors, credentials };
};
