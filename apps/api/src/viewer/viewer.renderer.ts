import { Inject, Injectable, Optional } from '@nestjs/common';
import { API_OPTIONS, type ApiModuleOptions } from '../shared/tokens';
import { Eta } from 'eta';
import { AUDIT_TRAIL_TEMPLATE } from './templates/audit-trail.template';
import { HOME_TEMPLATE, LAYOUT_TEMPLATE, LOGIN_TEMPLATE, PASSWORD_TEMPLATE, PROBLEM_TEMPLATE } from './templates/layout.template';
import { STUDY_TEMPLATE, SUBJECTS_TEMPLATE } from './templates/study.template';
import { SUBJECT_TEMPLATE } from './templates/subject.template';
import { viewerHelpers } from './viewer-format';

export type ViewerPage = 'login' | 'password' | 'home' | 'problem' | 'study' | 'subjects' | 'subject' | 'audit-trail';

const PAGES: Readonly<Record<ViewerPage, string>> = {
  login: LOGIN_TEMPLATE,
  password: PASSWORD_TEMPLATE,
  home: HOME_TEMPLATE,
  problem: PROBLEM_TEMPLATE,
  study: STUDY_TEMPLATE,
  subjects: SUBJECTS_TEMPLATE,
  subject: SUBJECT_TEMPLATE,
  'audit-trail': AUDIT_TRAIL_TEMPLATE,
};

/**
 * Eta with its defaults that matter here: `<%= %>` escapes HTML (autoEscape), templates compiled once.
 * The templates live in TypeScript modules so the build ships them with the code.
 */
@Injectable()
export class ViewerRenderer {
  private readonly eta = new Eta({ autoEscape: true, cache: true, useWith: false });

  constructor(@Optional() @Inject(API_OPTIONS) private readonly options?: ApiModuleOptions) {
    this.eta.loadTemplate('@layout', LAYOUT_TEMPLATE);
    for (const [name, template] of Object.entries(PAGES)) this.eta.loadTemplate(`@${name}`, template);
  }

  render(page: ViewerPage, data: Record<string, unknown>): string {
    // Damage the server found in its ledger (what turns /health red): every page says so; the position to a signed-in reader only.
    const damage = this.options?.ledgerIntegrity?.damage ?? null;
    const ledgerDamage = damage === null ? null : { position: data.actor ? damage.position : null };
    return this.eta.render(`@${page}`, { h: viewerHelpers, ...data, ledgerDamage });
  }
}
