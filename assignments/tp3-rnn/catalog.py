"""Student-facing messages of the tp3 grading tests (merged into messages.CATALOG).

Each realistic mistake has its own key: the message names it and says what the lab expects.
Keys used by hidden tests never show an expected value.
"""

CATALOG: dict[str, dict[str, str]] = {
    # -- Q1: the shape of what forward returns (public test) ----------------------------------------------
    "tp3_learning_no_gradient": {
        "fr": "Pendant l'entraînement, aucun gradient n'atteint les paramètres de la récurrence ({names}) : seul le "
        "décodeur apprend. La sortie de forward est-elle détachée (.detach(), .data, torch.no_grad()) ?",
        "en": "During training no gradient reaches the recurrence's parameters ({names}): only the decoder learns. "
        "Is the output of forward detached (.detach(), .data, torch.no_grad())?",
    },
    "tp3_constructor_order": {
        "fr": "RNN({dim}, {latent}, {output}) : vos paramètres ont les formes d'un RNN({got}). "
        "Le constructeur doit lire ses arguments dans l'ordre (dim, latent, output).",
        "en": "RNN({dim}, {latent}, {output}): your parameters have the shapes of an RNN({got}). "
        "The constructor must read its arguments in the order (dim, latent, output).",
    },
    "tp3_forward_tuple": {
        "fr": "RNN.forward renvoie un tuple ({got}) : le TP attend un seul tenseur, tous les états h_1..h_L de forme "
        "(L, B, H) (le dernier état est simplement sa dernière ligne). Le reste a été noté à partir du premier "
        "élément du tuple.",
        "en": "RNN.forward returns a tuple ({got}): the lab expects one tensor, all states h_1..h_L shaped (L, B, H) "
        "(the last state is just its last row). The rest was graded from the tuple's first element.",
    },
    "tp3_forward_list": {
        "fr": "RNN.forward renvoie une liste Python ({got}) : empilez les états avec torch.stack pour renvoyer un "
        "tenseur (L, B, H). Le reste a été noté à partir de la liste empilée.",
        "en": "RNN.forward returns a Python list ({got}): stack the states with torch.stack to return one "
        "(L, B, H) tensor. The rest was graded from the stacked list.",
    },
    "tp3_batch_first": {
        "fr": "RNN.forward semble traiter l'entrée en (B, L, D) (batch d'abord) : le TP attend le temps d'abord, "
        "x de forme (L, B, D) et des états (L, B, H) (ici L={L}, B={B}). Transposez les batchs du DataLoader "
        "avant le modèle. Le reste a été noté en transposant pour vous.",
        "en": "RNN.forward seems to read its input as (B, L, D) (batch first): the lab wants time first, x shaped "
        "(L, B, D) and states (L, B, H) (here L={L}, B={B}). Transpose the DataLoader's batches before the "
        "model. The rest was graded by transposing for you.",
    },
    "tp3_forward_includes_h0": {
        "fr": "RNN.forward renvoie {got} états pour L={L} pas : l'état initial h_0 est inclus. Le TP attend "
        "h_1..h_L seulement (L états).",
        "en": "RNN.forward returns {got} states for L={L} steps: the initial state h_0 is included. The lab "
        "expects h_1..h_L only (L states).",
    },
    "tp3_forward_drops_step": {
        "fr": "RNN.forward renvoie {got} états pour L={L} pas : un pas de temps manque (boucle sur range(L-1) ?). "
        "Le TP attend h_1..h_L (L états).",
        "en": "RNN.forward returns {got} states for L={L} steps: one time step is missing (a loop over "
        "range(L-1)?). The lab expects h_1..h_L (L states).",
    },
    # -- Q1: forward against one_step -------------------------------------------------------------------------
    "tp3_forward_shifted": {
        "fr": "RNN.forward renvoie h_0..h_(L-1) : l'état initial est en tête et le dernier état h_L manque "
        "(états ajoutés à la liste avant l'appel à one_step ?). Le TP attend h_1..h_L.",
        "en": "RNN.forward returns h_0..h_(L-1): the initial state comes first and the last state h_L is missing "
        "(states appended before calling one_step?). The lab expects h_1..h_L.",
    },
    "tp3_state_not_updated": {
        "fr": "RNN.forward calcule chaque pas à partir de l'état initial : l'état caché n'est jamais mis à jour "
        "dans la boucle (écrivez h = self.one_step(x_t, h)).",
        "en": "RNN.forward computes every step from the initial state: the hidden state is never updated in the "
        "loop (write h = self.one_step(x_t, h)).",
    },
    "tp3_tanh_after_loop": {
        "fr": "RNN.forward applique tanh une seule fois, après la boucle : la récurrence elle-même est linéaire. "
        "La non-linéarité fait partie de chaque pas : h_t = tanh(W_i x_t + W_h h_(t-1) + b), dans one_step.",
        "en": "RNN.forward applies tanh once, after the loop: the recurrence itself is linear. The non-linearity "
        "belongs to every step: h_t = tanh(W_i x_t + W_h h_(t-1) + b), inside one_step.",
    },
    "tp3_forward_ignores_h": {
        "fr": "RNN.forward(x, h) ignore l'état h donné et part toujours de zéro : utilisez h quand il est fourni "
        "(init_state seulement si h est None).",
        "en": "RNN.forward(x, h) ignores the given state h and always starts from zero: use h when it is given "
        "(init_state only when h is None).",
    },
    "tp3_forward_not_one_step": {
        "fr": "RNN.forward ne donne pas les mêmes états que one_step appliqué pas à pas depuis h (plus grand écart "
        "{worst}) : forward doit appeler one_step à chaque pas de temps et renvoyer h_1..h_L.",
        "en": "RNN.forward does not give the states of one_step applied step by step from h (largest difference "
        "{worst}): forward must call one_step at each time step and return h_1..h_L.",
    },
    "tp3_forward_no_h": {
        "fr": "RNN.forward(x, h) n'accepte pas d'état initial ({error}) : la signature du TP est "
        "forward(self, x, h=None).",
        "en": "RNN.forward(x, h) does not accept an initial state ({error}): the lab's signature is "
        "forward(self, x, h=None).",
    },
    "tp3_forward_h_none": {
        "fr": "RNN.forward(x) sans état échoue ({error}) : avec h=None, partez de self.init_state(x.shape[1]).",
        "en": "RNN.forward(x) without a state fails ({error}): with h=None, start from self.init_state(x.shape[1]).",
    },
    "tp3_forward_default_state": {
        "fr": "RNN.forward(x) sans état ne part pas de l'état nul (plus grand écart {worst} avec forward(x, zéros)) : "
        "avec h=None, l'état initial est init_state, des zéros.",
        "en": "RNN.forward(x) without a state does not start from the zero state (largest difference {worst} from "
        "forward(x, zeros)): with h=None the initial state is init_state, zeros.",
    },
    "tp3_batch_leak": {
        "fr": "{function} : changer la séquence {row} du batch modifie les états des autres séquences. Les lignes "
        "d'un batch doivent rester indépendantes (un reshape/view à la place d'une transposition ?).",
        "en": "{function}: changing sequence {row} of the batch changes the states of the other sequences. The rows "
        "of a batch must stay independent (a reshape/view instead of a transpose?).",
    },
    "tp3_batch_row_ignored": {
        "fr": "{function} : changer la séquence {row} du batch ne change pas ses propres états.",
        "en": "{function}: changing sequence {row} of the batch does not change its own states.",
    },
    # -- Q1: the equations ------------------------------------------------------------------------------------
    "tp3_uses_nn_rnn": {
        "fr": "Votre RNN utilise {module} de PyTorch : le TP demande d'écrire la récurrence vous-même "
        "(h_t = tanh(W_i x_t + W_h h_(t-1) + b)).",
        "en": "Your RNN uses PyTorch's {module}: the lab asks you to write the recurrence yourself "
        "(h_t = tanh(W_i x_t + W_h h_(t-1) + b)).",
    },
    "tp3_activation_relu": {
        "fr": "RNN.one_step se comporte comme un ReLU (sorties positives, non bornées) : le TP demande "
        "h_t = tanh(W_i x_t + W_h h_(t-1) + b).",
        "en": "RNN.one_step behaves like a ReLU (non-negative, unbounded outputs): the lab asks for "
        "h_t = tanh(W_i x_t + W_h h_(t-1) + b).",
    },
    "tp3_activation_sigmoid": {
        "fr": "RNN.one_step applique une sigmoïde : le TP demande tanh, h_t = tanh(W_i x_t + W_h h_(t-1) + b).",
        "en": "RNN.one_step applies a sigmoid: the lab asks for tanh, h_t = tanh(W_i x_t + W_h h_(t-1) + b).",
    },
    "tp3_no_activation": {
        "fr": "RNN.one_step est linéaire (aucune non-linéarité) : appliquez tanh à chaque pas, "
        "h_t = tanh(W_i x_t + W_h h_(t-1) + b).",
        "en": "RNN.one_step is linear (no non-linearity): apply tanh at every step, "
        "h_t = tanh(W_i x_t + W_h h_(t-1) + b).",
    },
    "tp3_one_step_ignores_h": {
        "fr": "RNN.one_step(x, h) ne dépend pas de h : le terme récurrent W_h h_(t-1) manque, le réseau n'a "
        "donc aucune mémoire.",
        "en": "RNN.one_step(x, h) does not depend on h: the recurrent term W_h h_(t-1) is missing, so the network "
        "has no memory.",
    },
    "tp3_diagonal_recurrence": {
        "fr": "RNN.one_step : chaque composante de h_t ne dépend que de la même composante de h_(t-1) (produit "
        "terme à terme avec un vecteur ?). W_h est une matrice (H, H) : utilisez un produit matriciel "
        "(nn.Linear(H, H) ou @).",
        "en": "RNN.one_step: each component of h_t depends only on the same component of h_(t-1) (an elementwise "
        "product with a vector?). W_h is an (H, H) matrix: use a matrix product (nn.Linear(H, H) or @).",
    },
    "tp3_no_hidden_bias": {
        "fr": "RNN.one_step n'a pas de biais : la formule du TP est h_t = tanh(W_i x_t + W_h h_(t-1) + b). "
        "Gardez au moins un biais (celui de la couche d'entrée suffit).",
        "en": "RNN.one_step has no bias: the lab's formula is h_t = tanh(W_i x_t + W_h h_(t-1) + b). Keep at "
        "least one bias (the input layer's is enough).",
    },
    "tp3_no_parameters": {
        "fr": "Votre RNN n'a aucun paramètre (nn.Parameter ou nn.Linear) : des tenseurs simples ne sont ni "
        "appris par l'optimiseur ni déplacés par .to(device).",
        "en": "Your RNN has no parameter (nn.Parameter or nn.Linear): plain tensors are neither trained by the "
        "optimizer nor moved by .to(device).",
    },
    "tp3_weights_not_parameters": {
        "fr": "{which} ne dépend d'aucun paramètre de votre RNN (paramètres : {shapes}) : c'est un tenseur simple "
        "(torch.randn(..., requires_grad=True) ?), que model.parameters() ne voit pas. Il ne sera donc ni "
        "appris ni déplacé par .to() : déclarez-le avec nn.Parameter ou nn.Linear.",
        "en": "{which} depends on none of your RNN's parameters (parameters: {shapes}): it is a plain tensor "
        "(torch.randn(..., requires_grad=True)?), which model.parameters() does not see. It will be neither "
        "trained nor moved by .to(): declare it with nn.Parameter or nn.Linear.",
    },
    "tp3_one_step_not_rnn": {
        "fr": "RNN.one_step ne calcule pas tanh(W_i x + W_h h + b) pour des poids fixés (paramètres : {shapes}).",
        "en": "RNN.one_step does not compute tanh(W_i x + W_h h + b) for fixed weights (parameters: {shapes}).",
    },
    "tp3_layout_unknown": {
        "fr": "Information (0 point) : les rôles de vos paramètres ({shapes}) n'ont pas pu être reconnus à leur "
        "forme pour RNN({D}, {H}, {O}) ({detail}). Votre RNN a été noté sur son comportement "
        "(one_step ajusté puis comparé à torch.nn.RNN) plutôt que poids par poids.",
        "en": "Note (0 point): the roles of your parameters ({shapes}) could not be recognised from their shapes "
        "for RNN({D}, {H}, {O}) ({detail}). Your RNN was graded on its behaviour (one_step fitted, then "
        "compared with torch.nn.RNN) rather than weight by weight.",
    },
    "tp3_state_detached": {
        "fr": "Les gradients ne traversent pas le temps : l'état est détaché (.detach() ou .data) entre deux pas. "
        "La rétropropagation à travers le temps a besoin du graphe complet.",
        "en": "Gradients do not flow through time: the state is detached (.detach() or .data) between steps. "
        "Backpropagation through time needs the whole graph.",
    },
    "tp3_gradients_cut": {
        "fr": "Les gradients de vos états par rapport à ({what}) ne correspondent pas aux variations de votre propre "
        "forward : le graphe de calcul est coupé quelque part (.detach(), .data, .item(), un passage par "
        "numpy ou une opération en place).",
        "en": "The gradients of your states with respect to ({what}) do not match how your own forward varies: the "
        "computation graph is cut somewhere (.detach(), .data, .item(), a round trip through numpy or an "
        "in-place operation).",
    },
    "tp3_state_dtype": {
        "fr": "Un modèle converti en float64 ne fonctionne pas ou ne rend pas du float64 ({detail}) : créez les "
        "tenseurs intermédiaires (l'état initial notamment) avec init_state ou avec le dtype et le device "
        "de x.",
        "en": "A model converted to float64 fails or does not return float64 ({detail}): create intermediate "
        "tensors (the initial state especially) with init_state or with x's dtype and device.",
    },
    # -- Q1: decode ------------------------------------------------------------------------------------------
    "tp3_decode_softmax": {
        "fr": "RNN.decode applique un softmax : decode doit renvoyer des scores bruts, F.cross_entropy applique "
        "déjà (log-)softmax. Le softmax dans decode ralentit l'apprentissage et empêche la régression "
        "(question 3).",
        "en": "RNN.decode applies a softmax: decode must return raw scores, F.cross_entropy already applies "
        "(log-)softmax. A softmax in decode slows learning down and rules out regression (question 3).",
    },
    "tp3_decode_log_softmax": {
        "fr": "RNN.decode applique un log-softmax : decode doit renvoyer des scores bruts (une couche linéaire), "
        "utilisables aussi pour la régression de la question 3.",
        "en": "RNN.decode applies a log-softmax: decode must return raw scores (a linear layer), also usable for "
        "the regression of question 3.",
    },
    "tp3_decode_sigmoid": {
        "fr": "RNN.decode applique une sigmoïde : decode doit renvoyer des scores bruts, y = W_d h + b_d ; "
        "F.cross_entropy attend des scores non normalisés.",
        "en": "RNN.decode applies a sigmoid: decode must return raw scores, y = W_d h + b_d; F.cross_entropy "
        "expects unnormalised scores.",
    },
    "tp3_decode_tanh": {
        "fr": "RNN.decode applique tanh : le décodeur est linéaire, y = W_d h + b_d, sans activation.",
        "en": "RNN.decode applies tanh: the decoder is linear, y = W_d h + b_d, with no activation.",
    },
    "tp3_decode_not_affine": {
        "fr": "RNN.decode n'est pas une application affine de h : le décodeur est linéaire, y = W_d h + b_d.",
        "en": "RNN.decode is not an affine map of h: the decoder is linear, y = W_d h + b_d.",
    },
    "tp3_no_decode_bias": {
        "fr": "RNN.decode n'a pas de biais (decode(0) = 0) : le décodeur est y = W_d h + b_d.",
        "en": "RNN.decode has no bias (decode(0) = 0): the decoder is y = W_d h + b_d.",
    },
    "tp3_decode_leading_dims": {
        "fr": "RNN.decode n'accepte pas de dimensions en tête (h de forme (L, B, H) → (L, B, O) attendu ; obtenu : "
        "{got}). nn.Linear ou h @ W.T les gèrent ; torch.mm non.",
        "en": "RNN.decode does not accept leading dimensions (h shaped (L, B, H) → (L, B, O) expected; got: "
        "{got}). nn.Linear or h @ W.T handle them; torch.mm does not.",
    },
    # -- Q2 ----------------------------------------------------------------------------------------------------
    "tp3_classify_first_state": {
        "fr": "classify décode le premier état h_1 : une classification many-to-one décode le DERNIER état h_L "
        "(model(x)[-1]).",
        "en": "classify decodes the first state h_1: many-to-one classification decodes the LAST state h_L "
        "(model(x)[-1]).",
    },
    "tp3_classify_mean": {
        "fr": "classify décode la moyenne des états dans le temps : le TP décode le dernier état h_L.",
        "en": "classify decodes the mean of the states over time: the lab decodes the last state h_L.",
    },
    "tp3_classify_all_steps": {
        "fr": "classify décode l'avant-dernier état h_(L-1) : décodez le dernier, model(x)[-1].",
        "en": "classify decodes the state before last h_(L-1): decode the last one, model(x)[-1].",
    },
    "tp3_classify_softmax": {
        "fr": "classify renvoie des probabilités (softmax) : il doit renvoyer les scores bruts de decode, que "
        "F.cross_entropy normalise lui-même.",
        "en": "classify returns probabilities (softmax): it must return decode's raw scores, which "
        "F.cross_entropy normalises itself.",
    },
    "tp3_classify_log_softmax": {
        "fr": "classify renvoie des log-probabilités (log_softmax) : il doit renvoyer les scores bruts de decode.",
        "en": "classify returns log-probabilities (log_softmax): it must return decode's raw scores.",
    },
    "tp3_evaluate_return": {
        "fr": "evaluate_classifier doit renvoyer (coût moyen, précision), deux nombres ; renvoyé : {got}.",
        "en": "evaluate_classifier must return (mean loss, accuracy), two numbers; returned: {got}.",
    },
    "tp3_evaluate_order": {
        "fr": "evaluate_classifier renvoie (précision, coût) : l'ordre attendu est (coût moyen, précision).",
        "en": "evaluate_classifier returns (accuracy, loss): the expected order is (mean loss, accuracy).",
    },
    "tp3_evaluate_accuracy_count": {
        "fr": "evaluate_classifier renvoie le nombre de bonnes réponses ({got}) : la précision est une proportion "
        "entre 0 et 1 (divisez par le nombre d'exemples).",
        "en": "evaluate_classifier returns the number of correct answers ({got}): accuracy is a fraction between "
        "0 and 1 (divide by the number of examples).",
    },
    "tp3_evaluate_accuracy_percent": {
        "fr": "evaluate_classifier renvoie une précision en pourcentage ({got}) : le TP attend une proportion "
        "entre 0 et 1.",
        "en": "evaluate_classifier returns accuracy as a percentage ({got}): the lab expects a fraction between "
        "0 and 1.",
    },
    "tp3_evaluate_accuracy": {
        "fr": "evaluate_classifier : précision incorrecte ({got}) ; c'est la proportion d'exemples dont le score "
        "le plus haut est la bonne classe, sur tout le loader.",
        "en": "evaluate_classifier: wrong accuracy ({got}); it is the fraction of examples whose highest score is "
        "the right class, over the whole loader.",
    },
    "tp3_evaluate_loss_sum": {
        "fr": "evaluate_classifier renvoie une somme de coûts ({got}) : le TP attend le coût MOYEN par exemple.",
        "en": "evaluate_classifier returns a sum of losses ({got}): the lab expects the MEAN loss per example.",
    },
    "tp3_evaluate_loss": {
        "fr": "evaluate_classifier : coût incorrect ({got}) ; c'est l'entropie croisée moyenne des scores de "
        "classify sur tout le loader.",
        "en": "evaluate_classifier: wrong loss ({got}); it is the mean cross-entropy of classify's scores over "
        "the whole loader.",
    },
    "tp3_train_history": {
        "fr": "train_classifier doit renvoyer un dictionnaire avec les clés {keys} ; renvoyé : {got}.",
        "en": "train_classifier must return a dict with keys {keys}; returned: {got}.",
    },
    "tp3_train_history_lengths": {
        "fr": "train_classifier : history['{key}'] doit contenir un nombre par époque (2 ici) ; obtenu : {got}.",
        "en": "train_classifier: history['{key}'] must hold one number per epoch (2 here); got: {got}.",
    },
    "tp3_train_test_metrics": {
        "fr": "train_classifier : après l'entraînement, history['test_loss'][-1] et history['test_acc'][-1] "
        "devraient être la perte moyenne et la précision du modèle entraîné sur le jeu de test ({expected}) ; "
        "obtenu : {got}.",
        "en": "train_classifier: after training, history['test_loss'][-1] and history['test_acc'][-1] should be "
        "the trained model's mean loss and accuracy on the test set ({expected}); got: {got}.",
    },
    "tp3_train_train_metrics": {
        "fr": "train_classifier avec lr=0 (le modèle ne bouge pas) : history['train_loss'] et history['train_acc'] "
        "devraient valoir à chaque époque la perte moyenne et la précision sur les batchs d'entraînement "
        "({expected}) ; obtenu : {got}.",
        "en": "train_classifier with lr=0 (the model does not move): history['train_loss'] and "
        "history['train_acc'] should be, at each epoch, the mean loss and accuracy over the training "
        "batches ({expected}); got: {got}.",
    },
    "tp3_train_no_update": {
        "fr": "train_classifier ne modifie pas les paramètres du modèle (optimizer.step() manquant, ou optimiseur "
        "créé sur d'autres paramètres ?).",
        "en": "train_classifier does not change the model's parameters (missing optimizer.step(), or an optimizer "
        "built on other parameters?).",
    },
    # -- Q3 ----------------------------------------------------------------------------------------------------
    "tp3_stations_order": {
        "fr": "stations_as_batch range la série de l'exemple b={b}, station s={s} à l'indice s·B + b : le TP la "
        "veut à l'indice b·S + s (les stations d'un même exemple côte à côte). Permutez (1, 0, 2, 3) avant "
        "le reshape.",
        "en": "stations_as_batch puts the series of example b={b}, station s={s} at index s·B + b: the lab wants "
        "it at index b·S + s (the stations of one example side by side). Permute (1, 0, 2, 3) before the "
        "reshape.",
    },
    "tp3_stations_layout": {
        "fr": "stations_as_batch : la colonne {index} ne contient pas la série de l'exemple b={b}, station s={s} "
        "(un reshape sans permutation mélange le temps et le batch).",
        "en": "stations_as_batch: column {index} does not hold the series of example b={b}, station s={s} (a "
        "reshape without a permute mixes time and batch).",
    },
    "tp3_forecast_not_fed_back": {
        "fr": "forecast ne réinjecte pas ses prédictions : après le premier pas, l'entrée de one_step doit être "
        "la prédiction précédente (et non la dernière observation ou zéro).",
        "en": "forecast does not feed its predictions back: after the first step, one_step's input must be the "
        "previous prediction (not the last observation or zero).",
    },
    "tp3_forecast_repeats": {
        "fr": "forecast répète la première prédiction : chaque pas doit faire avancer l'état "
        "(h = one_step(ŷ, h)) puis décoder le nouvel état.",
        "en": "forecast repeats the first prediction: each step must advance the state (h = one_step(ŷ, h)) and "
        "then decode the new state.",
    },
    "tp3_forecast_extra_step": {
        "fr": "forecast relit la dernière observation avant de prédire : la première prédiction est decode(h_L), "
        "le décodage du dernier état de model(x).",
        "en": "forecast reads the last observation again before predicting: the first prediction is "
        "decode(h_L), the decoding of model(x)'s last state.",
    },
    # -- Q4 ----------------------------------------------------------------------------------------------------
    "tp3_onehot_no_linear": {
        "fr": "OneHotLinear({vocab}, {dim}) renvoie les vecteurs one-hot eux-mêmes (dernière dimension {vocab}) : "
        "il faut ensuite une couche nn.Linear({vocab}, {dim}).",
        "en": "OneHotLinear({vocab}, {dim}) returns the one-hot vectors themselves (last dimension {vocab}): a "
        "nn.Linear({vocab}, {dim}) layer must follow.",
    },
    "tp3_onehot_num_classes": {
        "fr": "OneHotLinear échoue quand le plus grand indice ({vocab} - 1) n'est pas dans le batch ({error}) : "
        "donnez num_classes=vocab_size à F.one_hot.",
        "en": "OneHotLinear fails when the largest id ({vocab} - 1) is not in the batch ({error}): pass "
        "num_classes=vocab_size to F.one_hot.",
    },
    "tp3_onehot_no_parameters": {
        "fr": "OneHotLinear n'a aucun paramètre : la projection linéaire du one-hot s'apprend (nn.Linear).",
        "en": "OneHotLinear has no parameter: the linear map of the one-hot vectors is learnt (nn.Linear).",
    },
    "tp3_onehot_constant": {
        "fr": "OneHotLinear donne le même vecteur pour tous les caractères.",
        "en": "OneHotLinear gives the same vector for every character.",
    },
    "tp3_onehot_shifted": {
        "fr": "OneHotLinear décale les indices d'un cran (x - 1 ?) : le caractère d'indice i correspond à la "
        "colonne i de la couche linéaire.",
        "en": "OneHotLinear shifts the ids by one (x - 1?): the character with id i is column i of the linear "
        "layer.",
    },
    "tp3_generate_not_str": {
        "fr": "generate_fixed doit renvoyer une chaîne de caractères (str) ; renvoyé : {got}.",
        "en": "generate_fixed must return a string (str); returned: {got}.",
    },
    "tp3_generate_without_start": {
        "fr": "generate_fixed ne renvoie pas le début donné ({start!r}) suivi du texte produit (obtenu : {got!r}).",
        "en": "generate_fixed does not return the given start ({start!r}) followed by the generated text (got: "
        "{got!r}).",
    },
    "tp3_generate_length": {
        "fr": "generate_fixed({start!r}, {n}) renvoie {got} caractères au lieu de {expected} : exactement {n} "
        "caractères après le début (un symbole nul 0 produit n'écrit rien).",
        "en": "generate_fixed({start!r}, {n}) returns {got} characters instead of {expected}: exactly {n} "
        "characters after the start (a null symbol 0, once produced, writes nothing).",
    },
    "tp3_generate_null_symbol": {
        "fr": "generate_fixed produit le symbole nul 0 (qui n'écrit rien) : masquez-le (score -inf) avant "
        "l'argmax ou le tirage, pour que la longueur soit exacte.",
        "en": "generate_fixed produces the null symbol 0 (which writes nothing): mask it (score -inf) before the "
        "argmax or the draw, so that the length is exact.",
    },
    "tp3_generate_ignores_start": {
        "fr": "generate_fixed ne lit pas le début {start!r} : le texte produit est celui d'un départ vide. Faites "
        "lire string2code(start) au modèle avant de générer.",
        "en": "generate_fixed does not read the start {start!r}: the generated text is that of an empty start. "
        "Have the model read string2code(start) before generating.",
    },
    "tp3_generate_not_deterministic": {
        "fr": "generate_fixed en mode glouton (sample=False) donne deux textes différents pour le même début "
        "{start!r} : le mode glouton prend toujours l'argmax.",
        "en": "generate_fixed in greedy mode (sample=False) gives two different texts for the same start "
        "{start!r}: greedy mode always takes the argmax.",
    },
    "tp3_generate_not_greedy": {
        "fr": "generate_fixed (début {start!r}) s'écarte du choix glouton au caractère {index} : à chaque pas, "
        "prenez l'argmax de rnn.decode(h), puis faites lire ce caractère (emb puis one_step).",
        "en": "generate_fixed (start {start!r}) departs from the greedy choice at character {index}: at each "
        "step take the argmax of rnn.decode(h), then feed that character back (emb then one_step).",
    },
    "tp3_generate_not_sampling": {
        "fr": "generate_fixed(..., sample=True) donne toujours le même caractère : il faut tirer selon le "
        "softmax des scores (torch.multinomial).",
        "en": "generate_fixed(..., sample=True) always gives the same character: draw from the softmax of the "
        "scores (torch.multinomial).",
    },
    "tp3_generate_sampling_distribution": {
        "fr": "generate_fixed(..., sample=True) : les fréquences des caractères tirés s'écartent du softmax des "
        "scores (distance {distance}) ; tirez selon softmax(rnn.decode(h)), symbole nul exclu.",
        "en": "generate_fixed(..., sample=True): the frequencies of the drawn characters differ from the softmax "
        "of the scores (distance {distance}); draw from softmax(rnn.decode(h)), null symbol excluded.",
    },
    # -- learning tests (Q2, Q3, Q4) ------------------------------------------------------------------------
    "tp3_learning_diverged": {
        "fr": "Entraîné par le correcteur ({task}), votre modèle produit des NaN ou des infinis.",
        "en": "Trained by the grader ({task}), your model produces NaN or infinite values.",
    },
    "tp3_learning_accuracy": {
        "fr": "Entraîné par le correcteur ({steps} pas d'Adam) sur des fenêtres du métro, votre RNN classe les "
        "stations de test avec une précision de {accuracy} (seuil {threshold}, hasard {chance}). Vérifiez "
        "que l'état est bien transmis d'un pas à l'autre et que decode renvoie des scores bruts.",
        "en": "Trained by the grader ({steps} Adam steps) on metro windows, your RNN classifies the test "
        "stations with accuracy {accuracy} (threshold {threshold}, chance {chance}). Check that the state "
        "is carried from step to step and that decode returns raw scores.",
    },
    "tp3_learning_persistence": {
        "fr": "Entraîné par le correcteur ({steps} pas d'Adam) à prédire le pas suivant, puis utilisé pour prédire "
        "1 à {horizon} pas en avant (prédictions réinjectées), votre RNN ne bat pas assez la persistance : "
        "rapport des MSE modèle/persistance {ratio} (il doit être sous {threshold}).",
        "en": "Trained by the grader ({steps} Adam steps) to predict the next step, then used to forecast 1 to "
        "{horizon} steps ahead (predictions fed back), your RNN does not beat persistence by enough: "
        "model/persistence MSE ratio {ratio} (it must be below {threshold}).",
    },
    "tp3_learning_language": {
        "fr": "Entraîné par le correcteur ({steps} pas d'Adam), votre modèle de caractères (OneHotLinear + RNN) "
        "atteint un coût de {loss} nats par caractère sur des phrases de test (seuil {threshold}, "
        "uniforme {uniform}).",
        "en": "Trained by the grader ({steps} Adam steps), your character model (OneHotLinear + RNN) reaches a "
        "loss of {loss} nats per character on held-out sentences (threshold {threshold}, uniform "
        "{uniform}).",
    },
}
