// English and Chinese text of the page. Elements carry data-i18n="key"; t(key) looks up the current language.
export const TEXT = {
  en: {
    'tab.train': 'Train', 'tab.live': 'Live', 'tab.runs': 'Runs', 'tab.evaluate': 'Evaluate', 'tab.chat': 'Chat',
    'train.model': 'Model and data', 'train.preset': 'Preset', 'train.dataset': 'Dataset', 'train.dataPath': 'Path under a data root',
    'train.browse': 'Browse', 'train.upload': 'Upload', 'train.name': 'Run name', 'train.resume': 'Resume from checkpoint', 'train.noResume': '(start afresh)',
    'train.hyper': 'Hyperparameters', 'train.preview': 'Preview command', 'train.save': 'Save arguments', 'train.load': 'Load arguments',
    'train.start': 'Start', 'train.started': 'Started run', 'train.unavailable': 'Not in this build',
    'live.run': 'Run', 'live.abort': 'Abort', 'live.resume': 'Resume from its checkpoint', 'live.loss': 'Loss (raw and smoothed)',
    'live.metrics': 'Validation metrics', 'live.lr': 'Learning rate and throughput', 'live.memory': 'Memory', 'live.tail': 'Log',
    'live.step': 'step', 'live.epoch': 'epoch', 'live.elapsed': 'elapsed', 'live.remaining': 'remaining', 'live.throughput': 'samples/s',
    'live.none': 'No run yet: start one in the Train tab.', 'live.tokens': 'tokens/s', 'runs.ppl': 'perplexity',
    'eval.samples': 'Held-out questions and the model\'s answers', 'eval.question': 'Question', 'eval.reference': 'Reference', 'eval.answer': 'Answer',
    'chat.fromRun': 'From a run', 'chat.fromRunNone': '(a finished GPT or chat fine-tuning run)',
    'runs.refresh': 'Refresh', 'runs.compare': 'Compare selected', 'runs.name': 'Name', 'runs.preset': 'Preset', 'runs.state': 'Status',
    'runs.best': 'Best metric', 'runs.params': 'Hyperparameters', 'runs.created': 'Created', 'runs.curves': 'Validation accuracy (or perplexity) and loss',
    'runs.diff': 'Arguments', 'runs.rename': 'Rename', 'runs.delete': 'Delete', 'runs.renamePrompt': 'New name', 'runs.deleteConfirm': 'Delete this run and its files?',
    'runs.pickTwo': 'Select at least one run to compare.', 'runs.key': 'Argument',
    'eval.run': 'Run', 'eval.checkpoint': 'Checkpoint', 'eval.limit': 'Test examples', 'eval.go': 'Evaluate', 'eval.metrics': 'Metrics',
    'eval.confusion': 'Confusion matrix', 'eval.roc': 'ROC curves (one vs rest)', 'eval.pr': 'Precision-recall curves',
    'eval.wrong': 'Misclassified examples', 'eval.explain': 'Explain',
    'eval.explainNote': 'Which pixels the score of a class depends on: saliency |d score / d pixel| and integrated gradients from a black image.',
    'eval.index': 'Test image', 'eval.steps': 'Steps', 'eval.explainGo': 'Explain', 'eval.importances': 'Feature importances',
    'eval.input': 'Input', 'eval.saliency': 'Saliency', 'eval.ig': 'Integrated gradients', 'eval.true': 'true', 'eval.pred': 'predicted',
    'eval.completeness': 'sum of attributions', 'eval.diff': 'score(x) − score(black)', 'eval.actual': 'Actual', 'eval.predicted': 'Predicted',
    'chat.model': 'Language model', 'chat.weights': 'Model folder (under a data root or the runs directory)', 'chat.adapter': 'Adapter (LoRA, optional)',
    'chat.template': 'Chat template', 'chat.templateOwn': 'The model\'s own',
    'chat.load': 'Load', 'chat.export': 'Export merged weights', 'chat.sampling': 'Sampling', 'chat.send': 'Send', 'chat.stop': 'Stop',
    'chat.reset': 'New chat', 'chat.server': 'OpenAI-compatible server', 'chat.port': 'Port',
    'chat.serveNote': 'Serves the model folder above to other programs on this machine (127.0.0.1 only), as ./ember serve does.',
    'chat.serveStart': 'Start server', 'chat.serveStop': 'Stop server', 'chat.serveState': 'Server',
    'chat.none': 'This build has no language model provider.', 'chat.loaded': 'Loaded',
    'chat.notLoaded': 'No model loaded: give a model folder (config.json, model.safetensors, tokenizer) and press Load.',
    'chat.tokens': 'tokens', 'chat.stopped': 'stopped', 'chat.exportName': 'Name of the merged model folder (under the runs directory, exports/)',
    'chat.exported': 'Merged model written to',
  },
  zh: {
    'tab.train': '训练', 'tab.live': '实时', 'tab.runs': '运行记录', 'tab.evaluate': '评估', 'tab.chat': '对话',
    'train.model': '模型与数据', 'train.preset': '预设', 'train.dataset': '数据集', 'train.dataPath': '数据根目录下的路径',
    'train.browse': '浏览', 'train.upload': '上传', 'train.name': '运行名称', 'train.resume': '从检查点恢复', 'train.noResume': '（从头开始）',
    'train.hyper': '超参数', 'train.preview': '预览命令', 'train.save': '保存参数', 'train.load': '加载参数',
    'train.start': '开始', 'train.started': '已开始运行', 'train.unavailable': '此版本尚不支持',
    'live.run': '运行', 'live.abort': '中止', 'live.resume': '从其检查点恢复', 'live.loss': '损失（原始与平滑）',
    'live.metrics': '验证指标', 'live.lr': '学习率与吞吐量', 'live.memory': '内存', 'live.tail': '日志',
    'live.step': '步', 'live.epoch': '轮', 'live.elapsed': '已用时', 'live.remaining': '剩余', 'live.throughput': '样本/秒',
    'live.none': '还没有运行：请在“训练”页开始一个。', 'live.tokens': '词元/秒', 'runs.ppl': '困惑度',
    'eval.samples': '留出问题与模型的回答', 'eval.question': '问题', 'eval.reference': '参考答案', 'eval.answer': '回答',
    'chat.fromRun': '来自运行', 'chat.fromRunNone': '（已完成的 GPT 或对话微调运行）',
    'runs.refresh': '刷新', 'runs.compare': '比较所选', 'runs.name': '名称', 'runs.preset': '预设', 'runs.state': '状态',
    'runs.best': '最佳指标', 'runs.params': '超参数', 'runs.created': '创建时间', 'runs.curves': '验证准确率（或困惑度）与损失',
    'runs.diff': '参数', 'runs.rename': '重命名', 'runs.delete': '删除', 'runs.renamePrompt': '新名称', 'runs.deleteConfirm': '删除此运行及其文件？',
    'runs.pickTwo': '请至少选择一个运行进行比较。', 'runs.key': '参数',
    'eval.run': '运行', 'eval.checkpoint': '检查点', 'eval.limit': '测试样本数', 'eval.go': '评估', 'eval.metrics': '指标',
    'eval.confusion': '混淆矩阵', 'eval.roc': 'ROC 曲线（一对其余）', 'eval.pr': '精确率-召回率曲线',
    'eval.wrong': '分类错误的样本', 'eval.explain': '解释',
    'eval.explainNote': '某个类别的得分依赖哪些像素：显著图 |d 得分 / d 像素| 与相对黑色图像的积分梯度。',
    'eval.index': '测试图像', 'eval.steps': '步数', 'eval.explainGo': '解释', 'eval.importances': '特征重要性',
    'eval.input': '输入', 'eval.saliency': '显著图', 'eval.ig': '积分梯度', 'eval.true': '真实', 'eval.pred': '预测',
    'eval.completeness': '归因之和', 'eval.diff': '得分(x) − 得分(黑图)', 'eval.actual': '真实类别', 'eval.predicted': '预测类别',
    'chat.model': '语言模型', 'chat.weights': '模型目录（数据根目录或运行目录下）', 'chat.adapter': '适配器（LoRA，可选）',
    'chat.template': '对话模板', 'chat.templateOwn': '模型自带',
    'chat.load': '加载', 'chat.export': '导出合并权重', 'chat.sampling': '采样', 'chat.send': '发送', 'chat.stop': '停止',
    'chat.reset': '新对话', 'chat.server': 'OpenAI 兼容服务', 'chat.port': '端口',
    'chat.serveNote': '将上面的模型目录提供给本机的其他程序使用（仅 127.0.0.1），与 ./ember serve 相同。',
    'chat.serveStart': '启动服务', 'chat.serveStop': '停止服务', 'chat.serveState': '服务',
    'chat.none': '此版本没有语言模型提供者。', 'chat.loaded': '已加载',
    'chat.notLoaded': '尚未加载模型：请填写模型目录（config.json、model.safetensors、分词器）并点击“加载”。',
    'chat.tokens': '个词元', 'chat.stopped': '已停止', 'chat.exportName': '合并后模型目录的名称（位于运行目录的 exports/ 下）',
    'chat.exported': '合并后的模型已写入',
  },
};

let lang = localStorage.getItem('ember.lang') || (navigator.language && navigator.language.startsWith('zh') ? 'zh' : 'en');

export function language() { return lang; }

export function t(key) { return (TEXT[lang] && TEXT[lang][key]) || TEXT.en[key] || key; }

export function setLanguage(l) {
  lang = l;
  localStorage.setItem('ember.lang', l);
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}
