import io

import pytest

from socialcare_local.replay.scenario import BrandReply, Mention, parse_scenario
from socialcare_local.replay.twcs import ConversionError, write_scenario

CSV = """tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id
1,sprintcare,False,Tue Oct 31 22:10:47 +0000 2017,@115712 I understand. DM us please.,,3
3,115712,True,Tue Oct 31 22:08:27 +0000 2017,@sprintcare my phone keeps dropping calls,1,
4,115712,True,Tue Oct 31 22:12:00 +0000 2017,@sprintcare still nothing,,1
9,887,True,Tue Oct 31 23:00:00 +0000 2017,@OtherBrand hello,,
"""


def test_a_brand_thread_becomes_mentions_and_brand_replies_in_time_order():
    out = io.StringIO()
    assert write_scenario(io.StringIO(CSV), out, "sprintcare") == 3
    events = parse_scenario(out.getvalue())
    kinds = [(type(e).__name__, getattr(e, "id", None)) for e in events[1:]]
    assert kinds == [("Mention", "3"), ("BrandReply", "1"), ("Mention", "4")]
    first, reply, follow_up = events[1:]
    assert isinstance(first, Mention) and first.author_id == "115712" and first.conversation_id == "3"
    assert isinstance(reply, BrandReply) and reply.in_reply_to_id == "3"
    assert (
        isinstance(follow_up, Mention)
        and follow_up.in_reply_to_id == "1"
        and follow_up.conversation_id == "3"
    )


def test_a_file_without_the_brand_or_the_columns_is_refused():
    with pytest.raises(ConversionError, match="no threads"):
        write_scenario(io.StringIO(CSV), io.StringIO(), "nobodycare")
    with pytest.raises(ConversionError, match="lacks column"):
        write_scenario(io.StringIO("tweet_id,text\n1,hi\n"), io.StringIO(), "x")
