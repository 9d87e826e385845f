/**
 * Previous and next page of the user list, with where the person is. A
 * list that fits on one page shows no pager at all.
 */

interface UserPagerProps {
  /** 1 for the first page. */
  pageNumber: number;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  /** Names the pager's landmark; other paged lists use it too. */
  label?: string;
}

/** "Previous page", "Page N", "Next page"; nothing for a single page. */
export function UserPager(props: UserPagerProps) {
  const { pageNumber, hasPrevious, hasNext, onPrevious, onNext } = props;
  const { label = 'Pages of users' } = props;
  if (!hasPrevious && !hasNext) return null;

  // aria-disabled, not disabled: a button that reaches the end keeps
  // focus instead of dropping it to the top of the page.
  return (
    <nav className="paging" aria-label={label}>
      <button
        type="button"
        className="button-secondary"
        aria-disabled={!hasPrevious}
        onClick={onPrevious}
      >
        Previous page
      </button>
      <p className="paging-position" aria-live="polite">
        Page {pageNumber}
      </p>
      <button
        type="button"
        className="button-secondary"
        aria-disabled={!hasNext}
        onClick={onNext}
      >
        Next page
      </button>
    </nav>
  );
}
