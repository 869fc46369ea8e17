"""Hot-issue detection: group messages about one problem at one place, rank the issues by heat.

``group_messages(messages)`` regroups a collection from scratch; ``TopicIndex`` keeps the issues up to date as
messages arrive (``add``) and gives the same grouping.  Both return ``Topic`` objects, hottest first;
``HEAT_EXPLANATION`` says in one Chinese sentence how the heat is computed.  The modules: ``places`` reads place
mentions, ``text`` builds the place-free problem vectors, ``grouping`` links and clusters, ``heat`` ranks,
``labels`` names an issue, ``cli`` reads a CSV for ``python -m classifier topics``.
"""

from classifier.topics.grouping import Message
from classifier.topics.heat import HEAT_EXPLANATION
from classifier.topics.index import Topic, TopicIndex, group_messages

__all__ = ["HEAT_EXPLANATION", "Message", "Topic", "TopicIndex", "group_messages"]
