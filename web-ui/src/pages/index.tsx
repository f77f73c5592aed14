// Which page a hash route shows.
import type { VNode } from 'preact';
import { AuditPage } from './AuditPage.js';
import { BansPage } from './BansPage.js';
import { CallsPage } from './CallsPage.js';
import { CdrsPage } from './CdrsPage.js';
import { CollectionPage } from './config/CollectionPage.js';
import { ItemPage } from './config/ItemPage.js';
import { SectionPage } from './config/SectionPage.js';
import { SidePage, SidesPage } from './config/SidesPage.js';
import { DashboardPage } from './DashboardPage.js';
import { HistoryPage } from './HistoryPage.js';
import { PasswordPage } from './PasswordPage.js';
import { SystemPage } from './SystemPage.js';
import { UsersPage } from './UsersPage.js';
import { VonagePage } from './VonagePage.js';

function NotFound() {
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is no page here. <a href="#/">Back to the dashboard</a>.
      </p>
    </section>
  );
}

/** The page for a hash route, keyed so a different object gets a fresh editor. */
export function pageFor(r: string[]): VNode {
  const [a, b, c] = r;
  switch (a) {
    case undefined:
      return <DashboardPage />;
    case 'calls':
      return <CallsPage />;
    case 'cdrs':
      return <CdrsPage />;
    case 'bans':
      return <BansPage />;
    case 'system':
      return <SystemPage />;
    case 'history':
      return <HistoryPage />;
    case 'vonage':
      return <VonagePage />;
    case 'users':
      return <UsersPage />;
    case 'audit':
      return <AuditPage />;
    case 'password':
      return <PasswordPage />;
    case 'config':
      if (b === 'sides') return c ? <SidePage key={c} name={c} /> : <SidesPage />;
      if (b === 'section' && c) return <SectionPage key={c} section={c} />;
      if (b && !c) return <CollectionPage key={b} collection={b} />;
      if (b && c) return <ItemPage key={`${b}/${c}`} collection={b} name={c} />;
      return <NotFound />;
    default:
      return <NotFound />;
  }
}
