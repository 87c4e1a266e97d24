# lose: Q2
# message: tp3_classify_first_state
# why: classify decodes model(x)[0], the state after the first step, instead of the last one
def classify(model, x):
    return model.decode(model(x)[0])
