# lose: Q1
# message: student_raised
# why: attention_weights forgets the mask=None case (~None raises a TypeError)
def attention_weights(scores, mask=None):
    scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=0)
