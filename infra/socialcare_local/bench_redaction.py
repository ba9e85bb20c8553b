"""`make bench-redaction`: how much personal data the redaction engine finds, and how fast.

1. Recall per category on tests/data/personal_data_corpus.jsonl (a post counts when every
   character of its secrets is masked), and the posts it misses.
2. False positives on tests/data/no_personal_data_corpus.jsonl (posts that must not change).
3. Throughput: characters per second on 280-character posts, and on 100,000 characters of
   adversarial text (wall and CPU time; the machine may be shared).
"""

import time

from socialcare.domain.redaction import CATEGORIES, redact

from .redaction_corpus import POSITIVE, adversarial_text, load, score

POST_LENGTH = 280
FILLER = " Really not impressed, been waiting all week and nobody answers the phone or the chat, sort it out"


def posts_of_280_characters() -> list[str]:
    """Each corpus post padded with ordinary words to a full post."""
    posts = []
    for post in load(POSITIVE):
        text = post["text"]
        while len(text) < POST_LENGTH:
            text += FILLER
        posts.append(text[:POST_LENGTH])
    return posts


def timed(texts: list[str]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        redact(text)
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    result = score()
    print("1. Recall on the personal-data corpus (secrets fully masked / posts)")
    for category in CATEGORIES:
        found, total = result.found[category], result.total[category]
        print(f"   {category:<18} {found:>3}/{total:<3} {found / total:7.1%}")
    found, total = sum(result.found.values()), sum(result.total.values())
    print(f"   {'overall':<18} {found:>3}/{total:<3} {result.recall:7.1%}")
    for post in result.missed:
        print(f"   missed ({post['category']}, {post['country']}): {post['text']!r}")

    print("2. False positives on posts without personal data (changed / posts)")
    rate = len(result.false_positives) / result.negatives
    print(f"   {len(result.false_positives)}/{result.negatives} = {rate:.1%}")
    for text, masked in result.false_positives:
        print(f"   {text!r} -> {masked!r}")

    print("3. Throughput")
    posts = posts_of_280_characters()
    wall, cpu = timed(posts)
    characters = sum(map(len, posts))
    print(
        f"   {len(posts)} posts of {POST_LENGTH} characters: {wall * 1000 / len(posts):.1f} ms per post, "
        f"{characters / wall:,.0f} characters/s wall, {characters / cpu:,.0f} characters/s CPU"
    )
    text = adversarial_text()
    wall, cpu = timed([text])
    print(
        f"   {len(text):,} characters of adversarial text: {wall:.2f} s wall, {cpu:.2f} s CPU "
        f"({len(text) / wall:,.0f} characters/s wall)"
    )


if __name__ == "__main__":
    main()
