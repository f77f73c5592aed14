// The navigation: live pages, then one editor per config object type found
// in the schema (so a new collection or section shows up without UI work).
import { useEffect } from 'preact/hooks';
import { href, route } from '../router.js';
import { collectionsOf, loadSchema, schema, sectionsOf } from '../state/config.js';
import { canEdit, isAdmin } from '../state/session.js';
import { labelOf } from '../schema/json-schema.js';

function Item(p: { to: string[]; label: string }) {
  const here = route.value.join('/') === p.to.join('/') || (p.to.length > 1 && route.value.slice(0, p.to.length).join('/') === p.to.join('/'));
  const isHome = p.to.length === 0 && route.value.length === 0;
  return (
    <li>
      <a href={href(...p.to)} aria-current={here || isHome ? 'page' : undefined}>
        {p.label}
      </a>
    </li>
  );
}

export function Nav() {
  useEffect(() => {
    void loadSchema().catch(() => undefined);
  }, []);
  const s = schema.value;
  return (
    <nav class="side" aria-label="Main">
      <h2>Status</h2>
      <ul>
        <Item to={[]} label="Dashboard" />
        <Item to={['calls']} label="Live calls" />
        <Item to={['cdrs']} label="Call records" />
        <Item to={['bans']} label="Bans" />
        <Item to={['system']} label="System" />
      </ul>
      <h2>Configuration</h2>
      <ul>
        {s ? collectionsOf(s).map((c) => <Item key={c} to={['config', c]} label={labelOf(c)} />) : null}
        <Item to={['config', 'sides']} label="Sides" />
        {s ? sectionsOf(s).map((c) => <Item key={c} to={['config', 'section', c]} label={labelOf(c)} />) : null}
        <Item to={['history']} label="History" />
      </ul>
      <h2>Tools</h2>
      <ul>
        <Item to={['vonage']} label="Vonage and PBX" />
        {isAdmin.value ? <Item to={['users']} label="Users" /> : null}
        {canEdit.value ? <Item to={['audit']} label="Audit log" /> : null}
      </ul>
    </nav>
  );
}
