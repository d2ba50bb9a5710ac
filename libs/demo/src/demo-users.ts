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

const randomPassword = (): string => randomBytes(18).toString('base64url');

export interface DemoTeam {
  readonly actors: ReadonlyMap<Role, Actor>;
  /** The one-time passwords to show (the administrator's is the bootstrap password, chosen at creation). */
  readonly credentials: DemoCredential[];
  /** The passwords the scripted team chose for themselves, used to sign during the demo; never shown. */
  readonly working: DemoCredential[];
}

/**
 * Creates the first administrator, who then adds the rest of the team. Each member chooses their own
 * password through the change-password command (an administrator-chosen one is temporary and allows
 * nothing else), so that the scripted team can sign during the demo.
 */
export const createDemoTeam = async (identity: Identity, passwordOf: (user: DemoUser) => string): Promise<DemoTeam> => {
  const credentials = DEMO_TEAM.map((user) => ({ ...user, password: passwordOf(user) }));
  const actors = new Map<Role, Actor>();
  const actorOf = (view: { userId: string; username: string; fullName: string; role: Role }): Actor => ({ userId: view.userId, username: view.username, fullName: view.fullName, role: view.role });
  const [admin, ...others] = credentials;
  const adminActor = actorOf(await identity.users.createFirstAdmin({ username: admin.username, fullName: admin.fullName, password: admin.password }, 'cli'));
  actors.set('admin', adminActor);
  const working: DemoCredential[] = [admin];
  for (const user of others) {
    const temporary = randomPassword();
    const view = await identity.users.addUser(adminActor, { username: user.username, fullName: user.fullName, role: user.role, password: temporary, reason: 'Demo study team' }, 'cli');
    const own = randomPassword();
    await identity.auth.changePassword({ username: user.username, currentPassword: temporary, newPassword: own }, { source: 'cli' });
    actors.set(user.role, actorOf(view));
    working.push({ ...user, password: own });
  }
  return { actors, credentials, working };
};

/**
 * At the end of the demo the administrator issues each member the one-time password shown to the
 * person running it: a reset, so it is temporary like any administrator-chosen password.
 */
export const issueOneTimePasswords = async (identity: Identity, team: DemoTeam): Promise<void> => {
  const admin = team.actors.get('admin');
  if (!admin) throw new Error('No demo administrator');
  for (const user of team.credentials.filter((c) => c.role !== 'admin')) {
    await identity.users.resetPassword(admin, { username: user.username, newPassword: user.password, reason: 'Demo study team: one-time password' }, 'cli');
  }
};
