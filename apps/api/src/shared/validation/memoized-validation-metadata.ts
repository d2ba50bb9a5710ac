import { getMetadataStorage } from 'class-validator';

type MetadataStorage = ReturnType<typeof getMetadataStorage>;
type TargetMetadatas = ReturnType<MetadataStorage['getTargetValidationMetadatas']>;

const memoized = new WeakSet<MetadataStorage>();

/**
 * Resolves each DTO's validation metadata once instead of on every request. class-validator finds a
 * class's rules, its ancestors' included, by scanning every decorated class of the process on each
 * `validate()` (typestack/class-validator#2686), although they are fixed once the classes are loaded.
 * The answer is kept per class and per argument set (schema, `always`, strict groups, groups); any rule
 * registered later (a class loaded afterwards) empties the cache, so no answer is ever stale. The
 * rules grouped by property are kept per resolved list likewise. The library's answers are returned as
 * they are; its validator only reads them (`ValidationExecutor.execute`).
 */
export const memoizeValidationMetadata = (storage: MetadataStorage = getMetadataStorage()): void => {
  if (memoized.has(storage)) return;
  memoized.add(storage);
  let cache = new WeakMap<object, Map<string, TargetMetadatas>>();
  const resolve = storage.getTargetValidationMetadatas.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);
  storage.addValidationMetadata = (metadata) => {
    cache = new WeakMap();
    add(metadata);
  };
  // The rules grouped by property, once per resolved list (the lists above are kept, so this is per DTO too).
  const groupedBy = new WeakMap<object, ReturnType<MetadataStorage['groupByPropertyName']>>();
  const group = storage.groupByPropertyName.bind(storage);
  storage.groupByPropertyName = (metadatas) => {
    let grouped = groupedBy.get(metadatas);
    if (grouped === undefined) groupedBy.set(metadatas, (grouped = group(metadatas)));
    return grouped;
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = JSON.stringify([schema, always, strictGroups, groups ?? null]);
    let answers = cache.get(target);
    if (answers === undefined) cache.set(target, (answers = new Map()));
    let answer = answers.get(key);
    if (answer === undefined) answers.set(key, (answer = resolve(target, schema, always, strictGroups, groups)));
    return answer;
  };
};
