# lose: Q4
# message: tp3_generate_not_str
# why: generate_fixed returns the list of ids (start included) instead of the text; the other tests decode the ids and grade the generation through them
_generate_text = generate_fixed


def generate_fixed(rnn, emb, start, length, *, sample=False):
    return string2code(_generate_text(rnn, emb, start, length, sample=sample)).tolist()
