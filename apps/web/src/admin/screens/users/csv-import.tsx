import { useState } from 'react';
import { api } from '../../api';
import { describeError, type MessageKey, useI18n } from '../../i18n';
import { planImport } from '../../model/import';
import { useSpace } from '../../space-context';

interface Result {
  line: number;
  phone: string;
  ok: boolean;
  why: string;
}

/** Bulk import of members from a CSV of phone numbers, with a per-row report of what was rejected and why. */
export function CsvImport(props: { onClose: () => void }) {
  const { t } = useI18n();
  const { model, readOnly } = useSpace();
  const [text, setText] = useState('');
  const [groupIds, setGroupIds] = useState<string[]>([]);
  const [results, setResults] = useState<Result[] | null>(null);
  const [busy, setBusy] = useState(false);

  const readFile = async (file: File | undefined) => {
    if (file) setText(await file.text());
  };
  const run = async () => {
    setBusy(true);
    const out: Result[] = [];
    for (const row of planImport(text, model.groups, model.members, groupIds)) {
      if (row.problem) {
        out.push({
          line: row.line,
          phone: row.phone,
          ok: false,
          why: t(`import.${row.problem.code}` as MessageKey, {
            detail: row.problem.detail ?? '',
          }),
        });
        continue;
      }
      try {
        await api('POST', `/v1/spaces/${model.space.id}/members`, {
          phone: row.phone,
          name: row.name,
          groupIds: row.groupIds,
        });
        out.push({
          line: row.line,
          phone: row.phone,
          ok: true,
          why: t('import.added'),
        });
      } catch (e) {
        out.push({
          line: row.line,
          phone: row.phone,
          ok: false,
          why: describeError(t, e),
        });
      }
      setResults([...out]);
    }
    setResults(out);
    setBusy(false);
  };
  const rejected = results?.filter((r) => !r.ok).length ?? 0;

  return (
    <section className="panel" aria-labelledby="import-title">
      <h3 id="import-title">{t('import.title')}</h3>
      <p className="muted">{t('import.help')}</p>
      <fieldset disabled={readOnly || busy} className="plain">
        <label className="field">
          <span>{t('import.file')}</span>
          <input
            type="file"
            accept=".csv,text/csv,text/plain"
            onChange={(e) => void readFile(e.target.files?.[0])}
          />
        </label>
        <label className="field">
          <span>{t('import.paste')}</span>
          <textarea
            rows={6}
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={'phone,name,groups\n+34600000001,Ana,Residents'}
          />
        </label>
        <fieldset>
          <legend>{t('import.groups')}</legend>
          {model.groups.map((g) => (
            <label key={g.id} className="check">
              <input
                type="checkbox"
                checked={groupIds.includes(g.id)}
                onChange={() =>
                  setGroupIds(
                    groupIds.includes(g.id)
                      ? groupIds.filter((x) => x !== g.id)
                      : [...groupIds, g.id],
                  )
                }
              />{' '}
              {g.name}
            </label>
          ))}
        </fieldset>
        <div className="row">
          <button
            type="button"
            disabled={!text.trim()}
            onClick={() => void run()}
          >
            {t('import.run')}
          </button>
          <button type="button" className="secondary" onClick={props.onClose}>
            {t('action.close')}
          </button>
        </div>
      </fieldset>
      {results && (
        <div aria-live="polite">
          <p className={rejected ? 'error' : 'ok'}>
            {t('import.summary', {
              added: results.length - rejected,
              rejected,
            })}
          </p>
          <table className="report">
            <thead>
              <tr>
                <th scope="col">{t('import.line')}</th>
                <th scope="col">{t('field.phone')}</th>
                <th scope="col">{t('import.result')}</th>
              </tr>
            </thead>
            <tbody>
              {results.map((r) => (
                <tr
                  key={r.line}
                  className={r.ok ? 'row-ok' : 'row-refused'}
                  data-line={r.line}
                >
                  <td>{r.line}</td>
                  <td>{r.phone || '—'}</td>
                  <td>{r.why}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
