/**
 * Runs `work` and answers no sooner than `floorMs` after it began, whatever it did or threw. For a route whose
 * answer is the same whether or not an address is registered but whose work is not (`manage-link`: an owner's
 * token is replaced and mailed, a stranger's request does nothing): without it, the answer's delay tells who is
 * registered. Work longer than the floor still shows in its delay, so the floor is set far above that work.
 */
export const answerNoSoonerThan = async <T>(floorMs: number, work: () => Promise<T>): Promise<T> => {
  const started = Date.now();
  try {
    return await work();
  } finally {
    const left = started + floorMs - Date.now();
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  }
};
